-- Point-in-time user metrics: one row per account, app user and day from the user's first action in the account
-- to the as-of date; one column per metric of the user catalog (_int_user_metrics__models.yml). Usage comes
-- from the daily rollups; distinct modules in a window are counted with difference arrays, as the account's
-- key modules are (int_account_activity_daily). The CRM contact role is the version in force that day (days
-- before the first export use the first version). A stale source's metrics are null after its watermark.
-- Incremental (rebuild_days.sql): the 30-day windows read 29 days before the first day rebuilt; the first and
-- last active days come from the whole history.
{{ daily_incremental() }}

with

account_days as (

    select
        account_id,
        as_of_date

    from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date', 29) }}

),

usage as (

    select
        account_id,
        user_id,
        module,
        activity_date,
        actions

    from {{ ref('int_usage_daily') }}

    where actions > 0 and user_id is not null

),

all_user_activity as (

    select
        account_id,
        user_id,
        activity_date,
        sum(actions) as actions

    from usage

    group by account_id, user_id, activity_date

),

user_activity as (

    select * from all_user_activity

    where {{ days_to_rebuild('activity_date', 29) }}

),

-- The first active day, and the last one before the days read for the windows (carried into
-- last_active_date).
users as (

    select
        account_id,
        user_id,
        min(activity_date) as first_active_date,
        max(case when not ({{ days_to_rebuild('activity_date', 29) }}) then activity_date end)
            as last_active_before

    from all_user_activity

    group by account_id, user_id

),

user_days as (

    select
        users.account_id,
        users.user_id,
        account_days.as_of_date,
        users.first_active_date,
        users.last_active_before

    from users

    inner join account_days
        on
            users.account_id = account_days.account_id
            and users.first_active_date <= account_days.as_of_date

),

module_days as (

    select
        account_id,
        user_id,
        module,
        activity_date,
        lead(activity_date) over (
            partition by account_id, user_id, module
            order by activity_date
        ) as next_activity_date

    from (
        select distinct
            account_id,
            user_id,
            module,
            activity_date
        from usage
        where {{ days_to_rebuild('activity_date', 29) }}
    ) as distinct_module_days

),

-- A module used on day d counts in every 30-day window ending on [d, min(next use, d + 30) - 1].
module_deltas as (

    select
        account_id,
        user_id,
        cast(delta_date as date) as delta_date,
        sum(delta) as modules_delta

    from (

        select
            account_id,
            user_id,
            activity_date as delta_date,
            1 as delta

        from module_days

        union all

        select
            account_id,
            user_id,
            case
                when
                    next_activity_date is not null
                    and next_activity_date < {{ dbt.dateadd('day', 30, 'activity_date') }}
                    then next_activity_date
                else {{ dbt.dateadd('day', 30, 'activity_date') }}
            end as delta_date,
            -1 as delta

        from module_days

    ) as deltas

    group by account_id, user_id, cast(delta_date as date)

),

daily as (

    select
        user_days.account_id,
        user_days.user_id,
        user_days.as_of_date,
        user_days.first_active_date,
        user_days.last_active_before,
        coalesce(user_activity.actions, 0) as actions,
        coalesce(module_deltas.modules_delta, 0) as modules_delta

    from user_days

    left join user_activity
        on
            user_days.account_id = user_activity.account_id
            and user_days.user_id = user_activity.user_id
            and user_days.as_of_date = user_activity.activity_date

    left join module_deltas
        on
            user_days.account_id = module_deltas.account_id
            and user_days.user_id = module_deltas.user_id
            and user_days.as_of_date = module_deltas.delta_date

),

-- The spine is dense per user (one row per day), so "29 preceding rows" is the last 30 days.
windowed as (

    select
        account_id,
        user_id,
        as_of_date,
        first_active_date,
        sum(case when actions > 0 then 1 else 0 end) over (
            partition by account_id, user_id order by as_of_date rows between 29 preceding and current row
        ) as active_days_30d,
        sum(actions) over (
            partition by account_id, user_id order by as_of_date rows between 29 preceding and current row
        ) as actions_30d,
        sum(modules_delta) over (
            partition by account_id, user_id order by as_of_date
            rows between unbounded preceding and current row
        ) as modules_30d,
        coalesce(
            max(case when actions > 0 then as_of_date end) over (
                partition by account_id, user_id order by as_of_date
                rows between unbounded preceding and current row
            ),
            last_active_before
        ) as last_active_date

    from daily

),

contact_roles as (

    select
        user_id,
        contact_role,
        valid_from,
        cast(valid_to as date) as valid_to_date,
        case
            when row_number() over (partition by crm_contact_id order by valid_from) = 1
                then cast('1900-01-01' as date)
            else cast(valid_from as date)
        end as in_force_from

    from {{ ref('stg_crm__contact_versions') }}

    where user_id is not null

),

roles_by_day as (

    select
        windowed.account_id,
        windowed.user_id,
        windowed.as_of_date,
        contact_roles.contact_role,
        -- A user with several contacts: the most recently changed one.
        row_number() over (
            partition by windowed.account_id, windowed.user_id, windowed.as_of_date
            order by contact_roles.valid_from desc
        ) as contact_rank

    from windowed

    inner join contact_roles
        on
            windowed.user_id = contact_roles.user_id
            and windowed.as_of_date >= contact_roles.in_force_from
            and (contact_roles.valid_to_date is null or windowed.as_of_date < contact_roles.valid_to_date)

),

stale as (

    select
        max(case when source = 'app_events' then stale_since end) as app_events_stale_since,
        max(case when source = 'crm' then stale_since end) as crm_stale_since

    from {{ ref('int_source_watermarks') }}

),

flagged as (

    select
        windowed.*,
        roles_by_day.contact_role,
        windowed.as_of_date > coalesce(stale.app_events_stale_since, windowed.as_of_date) as app_events_missing,
        windowed.as_of_date > coalesce(stale.crm_stale_since, windowed.as_of_date) as crm_missing,
        sum(windowed.actions_30d) over (partition by windowed.account_id, windowed.as_of_date)
            as account_actions_30d

    from windowed

    cross join stale

    left join roles_by_day
        on
            windowed.account_id = roles_by_day.account_id
            and windowed.user_id = roles_by_day.user_id
            and windowed.as_of_date = roles_by_day.as_of_date
            and roles_by_day.contact_rank = 1

),

final as (

    select
        account_id,
        user_id,
        as_of_date,
        cast(case when not app_events_missing then active_days_30d end as {{ dbt.type_bigint() }})
            as user_active_days_30d,
        cast(case when not app_events_missing then actions_30d end as {{ dbt.type_bigint() }})
            as user_actions_30d,
        cast(case when not app_events_missing then modules_30d end as {{ dbt.type_bigint() }})
            as user_modules_used_30d,
        cast(
            case
                when not app_events_missing and account_actions_30d > 0
                    then cast(actions_30d as {{ health_type_double() }}) / account_actions_30d
            end as {{ health_type_double() }}
        ) as user_share_of_actions_30d,
        cast(
            case
                when not app_events_missing
                    then {{ dbt.datediff('last_active_date', 'as_of_date', 'day') | trim }}
            end as {{ dbt.type_bigint() }}
        ) as user_days_since_last_activity,
        cast(
            case
                when not app_events_missing
                    then {{ dbt.datediff('first_active_date', 'as_of_date', 'day') | trim }} + 1
            end as {{ dbt.type_bigint() }}
        ) as user_tenure_days,
        cast(case when not crm_missing then contact_role end as {{ dbt.type_string() }}) as user_contact_role

    from flagged

)

select * from final

-- The days before the first day rebuilt were read only for the windows.
where {{ days_to_rebuild('as_of_date') }}
