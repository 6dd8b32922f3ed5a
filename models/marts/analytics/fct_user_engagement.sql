-- One row per user of an account that is not cancelled, over the 30 days ending on the as-of date: actions,
-- active days and minutes, the user's rank in the account and overall, and whether the user is one of the
-- account's leaders (the top fifth by actions, at least one) or a laggard (no activity in the last 14 days).

with

as_of as (

    select max(as_of_date) as as_of_date from {{ ref('int_source_watermarks') }}

),

accounts as (

    select
        account_id,
        account_name
    from {{ ref('int_accounts') }}
    where coalesce(status, '') != 'Cancelled'

),

usage as (

    select
        usage_daily.account_id,
        usage_daily.user_id,
        usage_daily.activity_date,
        usage_daily.actions,
        usage_daily.minutes

    from {{ ref('int_usage_daily') }} as usage_daily

    cross join as_of

    where
        usage_daily.activity_date <= as_of.as_of_date
        and usage_daily.activity_date > {{ dbt.dateadd('day', -90, 'as_of.as_of_date') }}
        and usage_daily.user_id is not null

),

users as (

    select
        usage.account_id,
        usage.user_id,
        sum(
            case
                when usage.activity_date > {{ dbt.dateadd('day', -30, 'as_of.as_of_date') }} then usage.actions else 0
            end
        )
            as actions_30d,
        count(distinct case
            when usage.activity_date > {{ dbt.dateadd('day', -30, 'as_of.as_of_date') }} and usage.actions > 0
                then usage.activity_date
        end) as active_days_30d,
        sum(
            case
                when usage.activity_date > {{ dbt.dateadd('day', -30, 'as_of.as_of_date') }} then usage.minutes else 0
            end
        )
            as minutes_30d,
        max(case when usage.actions > 0 then usage.activity_date end) as last_active_date,
        max(as_of.as_of_date) as as_of_date

    from usage

    cross join as_of

    group by usage.account_id, usage.user_id

),

ranked as (

    select
        users.*,
        accounts.account_name,
        rank() over (partition by users.account_id order by users.actions_30d desc) as rank_in_account,
        count(*) over (partition by users.account_id) as users_in_account,
        rank() over (order by users.actions_30d desc) as rank_overall

    from users

    inner join accounts
        on users.account_id = accounts.account_id

),

final as (

    select
        ranked.account_id,
        ranked.account_name,
        ranked.user_id,
        app_users.user_name,
        cast(ranked.actions_30d as bigint) as actions_30d,
        cast(ranked.active_days_30d as bigint) as active_days_30d,
        cast(ranked.minutes_30d as double) as minutes_30d,
        ranked.last_active_date,
        cast(ranked.rank_in_account as bigint) as rank_in_account,
        cast(ranked.users_in_account as bigint) as users_in_account,
        cast(ranked.rank_overall as bigint) as rank_overall,
        case
            when
                ranked.last_active_date is null
                or ranked.last_active_date <= {{ dbt.dateadd('day', -14, 'ranked.as_of_date') }} then 'laggard'
            when ranked.actions_30d > 0 and ranked.rank_in_account <= greatest(1, ranked.users_in_account / 5)
                then 'leader'
            else 'regular'
        end as engagement_group,
        ranked.as_of_date

    from ranked

    left join {{ ref('stg_app__users') }} as app_users
        on ranked.user_id = app_users.user_id

)

select * from final
