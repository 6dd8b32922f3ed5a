-- List criteria from the seed, typed: rules (metric, operator, threshold) for the criteria engine, with the
-- grain they are evaluated on: user for a metric of the user catalog (int_user_metrics_daily), else account
-- (the account catalog and the health metrics: int_account_health_metrics_daily).

{%- set user_metrics = metric_catalog('int_user_metrics_daily', ['account_id', 'user_id', 'as_of_date'])
    | map(attribute='name') | list %}

with

criteria as (

    select * from {{ ref('list_criteria') }}

),

typed as (

    select
        cast(list as {{ dbt.type_string() }}) as list,  -- noqa: RF04
        cast(criterion_id as {{ dbt.type_string() }}) as criterion_id,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(operator as {{ dbt.type_string() }}) as operator,
        cast(threshold as {{ dbt.type_string() }}) as threshold,
        cast(reason_label as {{ dbt.type_string() }}) as reason_label,
        cast(
            case
                {%- if user_metrics %}
                    when metric in (
                        {%- for name in user_metrics %}
                            '{{ name }}'{% if not loop.last %},{% endif %}
                        {%- endfor %}
                    ) then 'user'
                {%- endif %}
                else 'account'
            end as {{ dbt.type_string() }}
        ) as grain

    from criteria

)

select * from typed
