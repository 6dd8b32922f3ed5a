-- Lifecycle criteria from the seed, typed: rules (metric, operator, threshold) for the criteria engine; kind entry
-- decides the stage, good / poor the outcome.

with

criteria as (

    select * from {{ ref('lifecycle_criteria') }}

),

typed as (

    select
        cast(stage as {{ dbt.type_string() }}) as stage,  -- noqa: RF04
        cast(criterion_id as {{ dbt.type_string() }}) as criterion_id,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(operator as {{ dbt.type_string() }}) as operator,
        cast(threshold as {{ dbt.type_string() }}) as threshold,
        cast(reason_label as {{ dbt.type_string() }}) as reason_label

    from criteria

)

select * from typed
