-- The metrics unpivoted to long form (account_id, as_of_date, metric, numeric_value, text_value), so health
-- criteria are a join with the criteria seed: a new criterion on an existing metric needs no SQL change.
{{ config(materialized='view') }}

{%- for metric, kind in health_metric_catalog().items() %}

    select
        account_id,
        as_of_date,
        '{{ metric }}' as metric,
        {% if kind == 'number' -%}
            cast({{ metric }} as {{ health_type_double() }}) as numeric_value,
            cast(null as {{ dbt.type_string() }}) as text_value
        {%- else -%}
            cast(null as {{ health_type_double() }}) as numeric_value,
            cast({{ metric }} as {{ dbt.type_string() }}) as text_value
        {%- endif %}

    from {{ ref('int_account_metrics_daily') }}
    {% if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
