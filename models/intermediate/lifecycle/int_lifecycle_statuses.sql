-- Lifecycle statuses from the seed, typed (validated before dbt runs: orchestration/lifecycle/config.py), with
-- their display order: stages by precedence, then Good, Average, Poor.

with

statuses as (

    select * from {{ ref('lifecycle_statuses') }}

),

typed as (

    select
        cast(stage as {{ dbt.type_string() }}) as stage,  -- noqa: RF04
        cast(precedence as {{ dbt.type_int() }}) as precedence,
        cast(coalesce(nullif(trim(outcome), ''), 'Only') as {{ dbt.type_string() }}) as outcome,
        cast(status as {{ dbt.type_string() }}) as lifecycle_status,
        cast(description as {{ dbt.type_string() }}) as description

    from statuses

),

final as (

    select
        *,
        cast(row_number() over (
            order by
                precedence,
                case outcome when 'Good' then 1 when 'Average' then 2 when 'Poor' then 3 else 4 end
        ) as {{ dbt.type_bigint() }}) as status_order

    from typed

)

select * from final
