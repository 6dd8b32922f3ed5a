-- The lifecycle status of every account on every day since its creation (seed 004), replayed from history:
-- exactly one status per account and day, with the stage, outcome, the reason and the day the status began.
{{ daily_incremental() }}

with

statuses as (

    select * from {{ ref('int_lifecycle_status_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

final as (

    select
        account_id,
        as_of_date,
        lifecycle_status,
        stage,
        outcome,
        reason,
        status_since,
        previous_status,
        previous_status is not null and previous_status <> lifecycle_status as status_changed,
        status_order

    from statuses

)

select * from final
