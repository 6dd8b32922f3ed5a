-- The catalog's metrics unpivoted to long form (account_id, as_of_date, metric, numeric_value, text_value), so
-- criteria and segment filters are rows joined to it: a new rule on an existing metric needs no SQL change.
{{ config(materialized='view') }}
-- depends_on: {{ ref('int_account_metrics_daily') }} (the catalog is read at run time only)

{%- for metric in metric_catalog() %}

    select
        account_id,
        as_of_date,
        '{{ metric.name }}' as metric,
        {% if metric.kind == 'number' -%}
            cast({{ metric.name }} as {{ health_type_double() }}) as numeric_value,
            cast(null as {{ dbt.type_string() }}) as text_value
        {%- else -%}
            cast(null as {{ health_type_double() }}) as numeric_value,
            cast({{ metric.name }} as {{ dbt.type_string() }}) as text_value
        {%- endif %}

    from {{ ref('int_account_metrics_daily') }}
    {% if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
