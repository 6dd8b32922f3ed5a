-- Usage metrics per account and day, point in time (only what was known that day).
-- Rolling sums run over the dense account-day spine (one row per day, so "N rows" = "N days").
-- Distinct users / key modules in a window are not additive; they are counted with difference arrays:
-- a user active on day d is counted in every window ending on [d, min(next active day, d + N) - 1],
-- so +1 at d and -1 at min(next active day, d + N), then a running sum. Linear in the data, no range join.
-- Days before the first event in the warehouse (accounts created before usage tracking began) have no usage
-- metrics (null = unknown, so health criteria on them are left out); windows that start before it are averaged
-- over the days since it, like a young account.
-- Incremental (rebuild_days.sql): the windows read 30 days before the first day rebuilt (the 30-day windows,
-- and the 14-day users 14 days back); the last active day and the active days since creation carry the
-- history before that.
{{ daily_incremental() }}

{%- set lookback_days = 30 %}

with

days as (

    select
        account_id,
        as_of_date,
        account_age_days

    from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date', lookback_days) }}

),

all_usage as (

    select
        account_id,
        user_id,
        module,
        activity_date,
        actions,
        minutes

    from {{ ref('int_usage_daily') }}

    where actions > 0

),

usage as (

    select * from all_usage

    where {{ days_to_rebuild('activity_date', lookback_days) }}

),

data_start as (

    select min(activity_date) as first_usage_date

    from all_usage

),

-- Before the days read for the windows: the last active day and how many active days there were.
usage_before as (

    select
        account_id,
        max(activity_date) as last_active_date,
        count(distinct activity_date) as active_days

    from all_usage

    where not ({{ days_to_rebuild('activity_date', lookback_days) }})

    group by account_id

),

account_usage as (

    select
        account_id,
        activity_date,
        sum(actions) as actions,
        sum(minutes) as minutes

    from usage

    group by account_id, activity_date

),

user_days as (

    select
        account_id,
        user_id,
        activity_date,
        lead(activity_date) over (
            partition by account_id, user_id
            order by activity_date
        ) as next_activity_date

    from (
        select distinct
            account_id,
            user_id,
            activity_date
        from usage
    ) as distinct_user_days

),

key_module_days as (

    select
        module_days.account_id,
        module_days.module,
        module_days.activity_date,
        lead(module_days.activity_date) over (
            partition by module_days.account_id, module_days.module
            order by module_days.activity_date
        ) as next_activity_date

    from (
        select distinct
            account_id,
            module,
            activity_date
        from usage
    ) as module_days

    inner join {{ ref('modules') }} as modules
        on module_days.module = modules.module

    where modules.is_key

),

{%- set windows = [7, 14, 30] %}

user_deltas as (

    select
        account_id,
        activity_date as delta_date,
        {%- for n in windows %}
            1 as users_{{ n }}d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from user_days
    {%- for n in windows %}

        union all

        select
            account_id,
            case
                when
                    next_activity_date is not null
                    and next_activity_date < {{ dbt.dateadd('day', n, 'activity_date') }}
                    then next_activity_date
                else {{ dbt.dateadd('day', n, 'activity_date') }}
            end as delta_date,
            {%- for m in windows %}
                {{ -1 if m == n else 0 }} as users_{{ m }}d{% if not loop.last %},{% endif %}
            {%- endfor %}
        from user_days
    {%- endfor %}

),

key_module_deltas as (

    select
        account_id,
        activity_date as delta_date,
        1 as key_modules

    from key_module_days

    union all

    select
        account_id,
        case
            when
                next_activity_date is not null
                and next_activity_date < {{ dbt.dateadd('day', 30, 'activity_date') }}
                then next_activity_date
            else {{ dbt.dateadd('day', 30, 'activity_date') }}
        end as delta_date,
        -1 as key_modules

    from key_module_days

),

deltas as (

    select
        account_id,
        cast(delta_date as date) as delta_date,
        {%- for n in windows %}
            sum(users_{{ n }}d) as users_{{ n }}d,
        {%- endfor %}
        0 as key_modules

    from user_deltas

    group by account_id, cast(delta_date as date)

    union all

    select
        account_id,
        cast(delta_date as date) as delta_date,
        {%- for n in windows %}
            0 as users_{{ n }}d,
        {%- endfor %}
        sum(key_modules) as key_modules

    from key_module_deltas

    group by account_id, cast(delta_date as date)

),

daily_deltas as (

    select
        account_id,
        delta_date,
        {%- for n in windows %}
            sum(users_{{ n }}d) as users_{{ n }}d,
        {%- endfor %}
        sum(key_modules) as key_modules

    from deltas

    group by account_id, delta_date

),

daily as (

    select
        days.account_id,
        days.as_of_date,
        days.account_age_days,
        coalesce(account_usage.actions, 0) as actions,
        coalesce(account_usage.minutes, 0) as minutes,
        case when account_usage.actions > 0 then days.as_of_date end as active_date,
        {%- for n in windows %}
            coalesce(daily_deltas.users_{{ n }}d, 0) as users_delta_{{ n }}d,
        {%- endfor %}
        coalesce(daily_deltas.key_modules, 0) as key_modules_delta,
        usage_before.last_active_date as last_active_before,
        coalesce(usage_before.active_days, 0) as active_days_before

    from days

    left join usage_before
        on days.account_id = usage_before.account_id

    left join account_usage
        on
            days.account_id = account_usage.account_id
            and days.as_of_date = account_usage.activity_date

    left join daily_deltas
        on
            days.account_id = daily_deltas.account_id
            and days.as_of_date = daily_deltas.delta_date

),

windowed as (

    select
        account_id,
        as_of_date,
        account_age_days,
        {%- for n in windows %}
            sum(case when actions > 0 then 1 else 0 end) over (
                partition by account_id order by as_of_date rows between {{ n - 1 }} preceding and current row
            ) as active_days_{{ n }}d,
            sum(users_delta_{{ n }}d) over (
                partition by account_id order by as_of_date rows between unbounded preceding and current row
            ) as active_users_{{ n }}d,
        {%- endfor %}
        sum(key_modules_delta) over (
            partition by account_id order by as_of_date rows between unbounded preceding and current row
        ) as key_modules_used,
        sum(actions) over (
            partition by account_id order by as_of_date rows between 13 preceding and current row
        ) as actions_14d,
        sum(actions) over (
            partition by account_id order by as_of_date rows between 27 preceding and 14 preceding
        ) as actions_prev_14d,
        sum(minutes) over (
            partition by account_id order by as_of_date rows between 13 preceding and current row
        ) as minutes_14d,
        sum(minutes) over (
            partition by account_id order by as_of_date rows between 27 preceding and 14 preceding
        ) as minutes_prev_14d,
        coalesce(
            max(active_date) over (
                partition by account_id order by as_of_date rows between unbounded preceding and current row
            ),
            last_active_before
        ) as last_active_date,
        sum(case when actions > 0 then 1 else 0 end) over (
            partition by account_id order by as_of_date rows between unbounded preceding and current row
        ) + active_days_before as active_days_total

    from daily

),

{%- set days_since_usage_start = dbt.datediff('data_start.first_usage_date', 'windowed.as_of_date', 'day') %}

bounded as (

    select
        windowed.*,
        data_start.first_usage_date,
        -- Days the 14-day averages may cover: the account's age, capped by the days since usage data began.
        case
            when
                data_start.first_usage_date is not null
                and {{ days_since_usage_start }} + 1 < windowed.account_age_days
                then {{ days_since_usage_start }} + 1
            else windowed.account_age_days
        end as observed_days

    from windowed

    cross join data_start

),

computed as (

    select
        account_id,
        as_of_date,
        account_age_days,
        -- Usage metrics are unknown (null) before the first event in the warehouse.
        first_usage_date is null or as_of_date >= first_usage_date as is_usage_tracked,
        {%- for n in windows %}
            cast(active_days_{{ n }}d as {{ dbt.type_bigint() }}) as active_days_{{ n }}d,
            cast(active_users_{{ n }}d as {{ dbt.type_bigint() }}) as active_users_{{ n }}d,
        {%- endfor %}
        -- Average daily actions over the last 14 days, or over the account's age when it is younger.
        cast(actions_14d as {{ health_type_double() }})
        / (case when observed_days < 14 then observed_days else 14 end) as actions_per_day_14d,
        cast(minutes_14d as {{ health_type_double() }}) * 7
        / (case when observed_days < 14 then observed_days else 14 end) as minutes_per_week,
        cast(key_modules_used as {{ dbt.type_bigint() }}) as key_modules_used,
        -- Never active: no activity since creation.
        cast(
            case
                when last_active_date is null then observed_days - 1
                else {{ dbt.datediff('last_active_date', 'as_of_date', 'day') }}
            end as {{ dbt.type_bigint() }}
        ) as days_since_last_activity,
        last_active_date,
        -- Known only when usage was tracked over the account's whole life (created after tracking began).
        cast(
            case when observed_days = account_age_days then active_days_total end as {{ dbt.type_bigint() }}
        ) as active_days_since_creation,
        -- "Change in": last 14 days vs the 14 before, as a ratio (-0.5 = halved); null on a zero base.
        case
            when coalesce(actions_prev_14d, 0) = 0 then null
            else cast(actions_14d - actions_prev_14d as {{ health_type_double() }}) / actions_prev_14d
        end as change_in_actions_14d,
        case
            when coalesce(minutes_prev_14d, 0) = 0 then null
            else cast(minutes_14d - minutes_prev_14d as {{ health_type_double() }}) / minutes_prev_14d
        end as change_in_minutes_14d,
        case
            when coalesce(lag(active_users_14d, 14) over (partition by account_id order by as_of_date), 0) = 0
                then null
            else cast(
                active_users_14d - lag(active_users_14d, 14) over (partition by account_id order by as_of_date)
                as {{ health_type_double() }}
            ) / lag(active_users_14d, 14) over (partition by account_id order by as_of_date)
        end as change_in_active_users_14d

    from bounded

),

final as (

    select
        account_id,
        as_of_date,
        account_age_days,
        case when is_usage_tracked then active_days_7d end as active_days_7d,
        case when is_usage_tracked then active_users_7d end as active_users_7d,
        case when is_usage_tracked then active_days_14d end as active_days_14d,
        case when is_usage_tracked then active_users_14d end as active_users_14d,
        case when is_usage_tracked then active_days_30d end as active_days_30d,
        case when is_usage_tracked then active_users_30d end as active_users_30d,
        case when is_usage_tracked then actions_per_day_14d end as actions_per_day_14d,
        case when is_usage_tracked then minutes_per_week end as minutes_per_week,
        case when is_usage_tracked then key_modules_used end as key_modules_used,
        case when is_usage_tracked then days_since_last_activity end as days_since_last_activity,
        case when is_usage_tracked then last_active_date end as last_active_date,
        case when is_usage_tracked then active_days_since_creation end as active_days_since_creation,
        case when is_usage_tracked then change_in_actions_14d end as change_in_actions_14d,
        case when is_usage_tracked then change_in_minutes_14d end as change_in_minutes_14d,
        case when is_usage_tracked then change_in_active_users_14d end as change_in_active_users_14d

    from computed

)

select * from final

-- The days before the first day rebuilt were read only for the windows.
where {{ days_to_rebuild('as_of_date') }}
