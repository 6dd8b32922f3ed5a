-- List criteria from the seed, typed: rules (metric, operator, threshold) for the criteria engine.

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
        cast(reason_label as {{ dbt.type_string() }}) as reason_label

    from criteria

)

select * from typed
