-- The share of accounts in each lifecycle status per day (seed 004's KPI, tracked over time): every configured
-- status on every day (0 accounts included, so series are complete), over the accounts with a status that day.
{{ daily_incremental() }}

with

statuses as (

    select * from {{ ref('int_lifecycle_statuses') }}

),

daily as (

    select * from {{ ref('int_lifecycle_status_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

days as (

    select
        as_of_date,
        count(*) as total_accounts

    from daily

    group by as_of_date

),

counted as (

    select
        as_of_date,
        lifecycle_status,
        count(*) as accounts

    from daily

    group by as_of_date, lifecycle_status

),

final as (

    select
        days.as_of_date,
        statuses.lifecycle_status,
        statuses.stage,
        case when statuses.outcome = 'Only' then null else statuses.outcome end as outcome,
        statuses.status_order,
        coalesce(counted.accounts, 0) as accounts,
        days.total_accounts,
        cast(coalesce(counted.accounts, 0) as {{ health_type_double() }}) / days.total_accounts as share  -- noqa: RF04

    from days

    cross join statuses

    left join counted
        on
            days.as_of_date = counted.as_of_date
            and statuses.lifecycle_status = counted.lifecycle_status

)

select * from final
