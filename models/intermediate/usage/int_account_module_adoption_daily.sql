-- Key module adoption per account and day, point in time: the most recent first use of a key module (seed
-- modules, is_key) and which module it was (several first used that day: joined, alphabetical). Known only for
-- accounts created since usage tracking began (the first event in the warehouse): for an older account the
-- first use seen in the data need not be its first use. Incremental (rebuild_days.sql): the first uses are
-- read from the whole history; the latest one before the first day rebuilt is carried.
{{ daily_incremental() }}

with

days as (

    select
        account_id,
        as_of_date,
        created_date

    from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date') }}

),

usage as (

    select
        account_id,
        module,
        activity_date

    from {{ ref('int_usage_daily') }}

    where actions > 0

),

data_start as (

    select min(activity_date) as first_usage_date

    from usage

),

first_uses as (

    select
        usage.account_id,
        usage.module,
        min(usage.activity_date) as first_used_date

    from usage

    inner join {{ ref('modules') }} as modules
        on usage.module = modules.module

    where modules.is_key

    group by usage.account_id, usage.module

),

first_use_days as (

    select
        account_id,
        first_used_date,
        {{ dbt.listagg('module', "', '", 'order by module') }} as modules

    from first_uses

    group by account_id, first_used_date

),

latest_before as (

    select
        account_id,
        max(first_used_date) as first_used_date

    from first_use_days

    where not ({{ days_to_rebuild('first_used_date') }})

    group by account_id

),

latest as (

    select
        days.account_id,
        days.as_of_date,
        days.created_date >= data_start.first_usage_date as is_tracked_since_creation,
        coalesce(
            max(first_use_days.first_used_date) over (
                partition by days.account_id order by days.as_of_date
                rows between unbounded preceding and current row
            ),
            latest_before.first_used_date
        ) as latest_first_use_date

    from days

    cross join data_start

    left join latest_before
        on days.account_id = latest_before.account_id

    left join first_use_days
        on
            days.account_id = first_use_days.account_id
            and days.as_of_date = first_use_days.first_used_date

),

final as (

    select
        latest.account_id,
        latest.as_of_date,
        cast(
            case
                when latest.is_tracked_since_creation
                    then {{ dbt.datediff('latest.latest_first_use_date', 'latest.as_of_date', 'day') | trim }}
            end as {{ dbt.type_bigint() }}
        ) as days_since_key_module_first_use,
        cast(
            case when latest.is_tracked_since_creation then first_use_days.modules end as {{ dbt.type_string() }}
        ) as latest_key_module_first_used

    from latest

    left join first_use_days
        on
            latest.account_id = first_use_days.account_id
            and latest.latest_first_use_date = first_use_days.first_used_date

)

select * from final
