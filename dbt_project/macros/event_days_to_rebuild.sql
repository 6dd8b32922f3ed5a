{#- The days of events an incremental daily rollup of stg_app__events rebuilds, as a where-clause predicate
    on `date_column`: with vars min_date / max_date, or environment variables PULSE_MIN_DATE / PULSE_MAX_DATE
    (how Dagster passes its daily partitions: a changed env_var re-parses only the models that read it, a
    changed var the whole project), that range, else the last usage_lookback_days days before the newest
    built day; either way every day touched by events loaded since the last build (late events land in their
    own day). The first build, or `full` (e.g. definitions changed), reads every event. The built table keeps
    its days in activity_date and its newest load in last_loaded_at. -#}
{% macro event_days_to_rebuild(date_column='event_date', full=false) %}
    {%- set min_date = var('min_date', none) or env_var('PULSE_MIN_DATE', '') -%}
    {%- set max_date = var('max_date', none) or env_var('PULSE_MAX_DATE', '') -%}
    {%- set lookback_days = var('usage_lookback_days', 3) -%}
    {%- if is_incremental() and not full %}
        (
            {% if min_date and max_date -%}
                {{ date_column }} between cast('{{ min_date }}' as date) and cast('{{ max_date }}' as date)
            {%- else -%}
                {{ date_column }} >= (
                    select {{ dbt.dateadd('day', -lookback_days, 'max(built.activity_date)') }}
                    from {{ this }} as built
                )
            {%- endif %}
            or {{ date_column }} in (
                select distinct late.event_date
                from {{ ref('stg_app__events') }} as late
                where late.loaded_at > (select max(built.last_loaded_at) from {{ this }} as built)
            )
        )
    {%- else %}
        true
    {%- endif %}
{% endmacro %}
