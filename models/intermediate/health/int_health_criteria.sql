-- Health criteria from the seed, typed, weights defaulted to 1 (the criteria engine parses thresholds).

with

criteria as (

    select * from {{ ref('health_criteria') }}

),

typed as (

    select
        cast(profile as {{ dbt.type_string() }}) as profile,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(criterion_id as {{ dbt.type_string() }}) as criterion_id,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(operator as {{ dbt.type_string() }}) as operator,
        cast(threshold as {{ dbt.type_string() }}) as threshold,
        cast(coalesce(weight, 1) as {{ health_type_double() }}) as weight,
        cast(coalesce(category_weight, 1) as {{ health_type_double() }}) as category_weight,
        cast(reason_label as {{ dbt.type_string() }}) as reason_label

    from criteria

)

select * from typed
