-- The health settings (seed health_settings: one row per setting) as one row of typed columns. The settings,
-- their types and their defaults are this model's columns in _int_health__models.yml (config.meta.default):
-- a setting missing from the seed takes its default. Every model reads the settings here.

{%- set settings = model.columns.values() | list if execute else [] %}

with

settings as (

    select * from {{ ref('health_settings') }}

),

final as (

    select
        {%- for column in settings %}
            {%- set meta = column.config.meta if column.config and column.config.meta else column.meta %}
            {%- set sql_type = health_type_double() if column.data_type == 'double' else dbt.type_string() %}
            {%- set default = meta.get('default') %}
            coalesce(
                max(case when setting = '{{ column.name }}' then cast(value as {{ sql_type }}) end),
                cast({{ "'" ~ default ~ "'" if default is string else default }} as {{ sql_type }})
            ) as {{ column.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from settings

)

select * from final
