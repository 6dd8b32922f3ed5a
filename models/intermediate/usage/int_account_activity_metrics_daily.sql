-- Activity metrics per account and day, point in time: the catalog's metrics with
-- model int_account_activity_metrics_daily (models/intermediate/metrics/_int_metrics__models.yml), each a
-- measure of a named activity over a window of days ending on as_of_date:
--   count           actions in the window            minutes         time spent (minutes) in the window
--   active_days     days with an action              distinct_users  users with an action
--   per_active_user actions / the account's active users in the window (all activities)
--   share           actions / all the account's actions in the window (null when it did nothing)
--   change          the window against the window before it, as a ratio (of: count, active_days, minutes or
--                   distinct_users; -0.5 = halved); null on a zero base
--   ratio           numerator / denominator, two activity metrics of the catalog (null on a zero denominator)
-- Windows are rows over the dense account-day spine (int_account_days), so they never read a later day.
-- Distinct users use difference arrays, as int_account_activity_daily does. Like the other usage metrics they
-- are unknown (null) before the first event in the warehouse. Incremental (rebuild_days.sql): the days before
-- the first day rebuilt are read as far back as the longest window and the one before it reach.
{{ daily_incremental() }}

{%- set own_model = 'int_account_activity_metrics_daily' %}
{%- set metrics = metric_catalog() | selectattr('model', 'equalto', own_model) | list %}
{%- set by_name = {} %}
{%- for metric in metrics %}{% do by_name.update({metric.name: metric}) %}{% endfor %}

{#- What the windows need: activities, (activity, window) pairs for distinct users. -#}
{%- set activities = [] %}
{%- set user_windows = [] %}
{%- for metric in metrics if metric.measure != 'ratio' %}
    {%- if metric.activity not in activities %}{% do activities.append(metric.activity) %}{% endif %}
    {%- if metric.measure in ('share', 'per_active_user') and 'all' not in activities %}
        {%- do activities.append('all') %}
    {%- endif %}
    {%- if metric.measure == 'distinct_users' or (metric.measure == 'change' and metric.of == 'distinct_users') %}
        {%- set pair = metric.activity ~ '__' ~ metric.window %}
        {%- if pair not in user_windows %}{% do user_windows.append(pair) %}{% endif %}
    {%- endif %}
    {%- if metric.measure == 'per_active_user' %}
        {%- set pair = 'all__' ~ metric.window %}
        {%- if pair not in user_windows %}{% do user_windows.append(pair) %}{% endif %}
    {%- endif %}
{%- endfor %}
{%- set windows = metrics | rejectattr('measure', 'equalto', 'ratio') | map(attribute='window') | map('int')
    | list %}
{%- set lookback_days = ((windows + [0]) | max) * 2 %}

with

days as (

    select
        account_id,
        as_of_date

    from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date', lookback_days) }}

),

all_usage as (

    select
        account_id,
        user_id,
        'all' as activity,
        activity_date,
        actions,
        minutes

    from {{ ref('int_usage_daily') }}

    where actions > 0 and {{ days_to_rebuild('activity_date', lookback_days) }}

),

data_start as (

    select min(activity_date) as first_usage_date

    from {{ ref('int_usage_daily') }}

    where actions > 0

),

usage as (

    select * from all_usage

    union all

    select
        account_id,
        user_id,
        activity,
        activity_date,
        actions,
        minutes

    from {{ ref('int_activity_usage_daily') }}

    where actions > 0 and {{ days_to_rebuild('activity_date', lookback_days) }}

),

account_usage as (

    select
        account_id,
        activity_date,
        {%- for activity in activities %}
            sum(case when activity = '{{ activity }}' then actions else 0 end) as a_{{ activity }},
            sum(case when activity = '{{ activity }}' then minutes else 0 end) as m_{{ activity }},
        {%- endfor %}
        count(*) as usage_rows

    from usage

    group by account_id, activity_date

),

user_days as (

    select
        account_id,
        activity,
        user_id,
        activity_date,
        lead(activity_date) over (
            partition by account_id, activity, user_id
            order by activity_date
        ) as next_activity_date

    from (
        select distinct
            account_id,
            activity,
            user_id,
            activity_date
        from usage
    ) as distinct_user_days

),

user_deltas as (

    select
        account_id,
        cast(null as date) as delta_date,
        {%- for pair in user_windows %}
            0 as ud_{{ pair }},
        {%- endfor %}
        0 as no_delta

    from user_days

    where false
    {%- for pair in user_windows %}
        {%- set activity, n = pair.split('__') %}

        union all

        select
            account_id,
            activity_date as delta_date,
            {%- for other in user_windows %}
                {{ 1 if other == pair else 0 }} as ud_{{ other }},
            {%- endfor %}
            0 as no_delta
        from user_days
        where activity = '{{ activity }}'

        union all

        select
            account_id,
            cast(case
                when
                    next_activity_date is not null
                    and next_activity_date < {{ dbt.dateadd('day', n, 'activity_date') }}
                    then next_activity_date
                else {{ dbt.dateadd('day', n, 'activity_date') }}
            end as date) as delta_date,
            {%- for other in user_windows %}
                {{ -1 if other == pair else 0 }} as ud_{{ other }},
            {%- endfor %}
            0 as no_delta
        from user_days
        where activity = '{{ activity }}'
    {%- endfor %}

),

daily_deltas as (

    select
        account_id,
        delta_date,
        {%- for pair in user_windows %}
            sum(ud_{{ pair }}) as ud_{{ pair }},
        {%- endfor %}
        count(*) as delta_rows

    from user_deltas

    group by account_id, delta_date

),

daily as (

    select
        days.account_id,
        days.as_of_date,
        {%- for activity in activities %}
            coalesce(account_usage.a_{{ activity }}, 0) as a_{{ activity }},
            coalesce(account_usage.m_{{ activity }}, 0) as m_{{ activity }},
        {%- endfor %}
        {%- for pair in user_windows %}
            coalesce(daily_deltas.ud_{{ pair }}, 0) as ud_{{ pair }},
        {%- endfor %}
        data_start.first_usage_date

    from days

    left join account_usage
        on
            days.account_id = account_usage.account_id
            and days.as_of_date = account_usage.activity_date

    left join daily_deltas
        on
            days.account_id = daily_deltas.account_id
            and days.as_of_date = daily_deltas.delta_date

    cross join data_start

),

windowed as (

    select
        account_id,
        as_of_date,
        first_usage_date,
        {%- for pair in user_windows %}
            sum(ud_{{ pair }}) over (
                partition by account_id order by as_of_date rows between unbounded preceding and current row
            ) as users_{{ pair }},
        {%- endfor %}
        {%- for metric in metrics if metric.measure != 'ratio' %}
            {%- set n = metric.window | int %}
            {%- set base = metric.of if metric.measure == 'change' else (
                'count' if metric.measure in ('share', 'per_active_user') else metric.measure) %}
            {%- if base != 'distinct_users' %}
                {{ activity_window_sum(activity_base_column(metric.activity, base), n - 1, 0) }} as {{ metric.name }}__current,
            {%- endif %}
            {%- if metric.measure == 'change' and base != 'distinct_users' %}
                {{ activity_window_sum(activity_base_column(metric.activity, base), 2 * n - 1, n) }} as {{ metric.name }}__previous,
            {%- endif %}
            {%- if metric.measure == 'share' %}
                {{ activity_window_sum('a_all', n - 1, 0) }} as {{ metric.name }}__total,
            {%- endif %}
        {%- endfor %}
        0 as no_metric

    from daily

),

computed as (

    select
        account_id,
        as_of_date,
        first_usage_date,
        {%- for metric in metrics if metric.measure != 'ratio' %}
            {%- set n = metric.window | int %}
            {%- set users = 'users_' ~ metric.activity ~ '__' ~ n %}
            {%- if metric.measure in ('count', 'active_days', 'minutes') %}
                cast({{ metric.name }}__current as {{ health_type_double() }}) as {{ metric.name }},
            {%- elif metric.measure == 'distinct_users' %}
                cast({{ users }} as {{ health_type_double() }}) as {{ metric.name }},
            {%- elif metric.measure == 'per_active_user' %}
                case
                    when users_all__{{ n }} > 0
                        then cast({{ metric.name }}__current as {{ health_type_double() }}) / users_all__{{ n }}
                end as {{ metric.name }},
            {%- elif metric.measure == 'share' %}
                case
                    when {{ metric.name }}__total > 0
                        then cast({{ metric.name }}__current as {{ health_type_double() }}) / {{ metric.name }}__total
                end as {{ metric.name }},
            {%- elif metric.measure == 'change' and metric.of == 'distinct_users' %}
                case
                    when coalesce(lag({{ users }}, {{ n }}) over (partition by account_id order by as_of_date), 0) = 0
                        then null
                    else cast(
                        {{ users }} - lag({{ users }}, {{ n }}) over (partition by account_id order by as_of_date)
                        as {{ health_type_double() }}
                    ) / lag({{ users }}, {{ n }}) over (partition by account_id order by as_of_date)
                end as {{ metric.name }},
            {%- elif metric.measure == 'change' %}
                case
                    when coalesce({{ metric.name }}__previous, 0) = 0 then null
                    else cast({{ metric.name }}__current - {{ metric.name }}__previous as {{ health_type_double() }})
                    / {{ metric.name }}__previous
                end as {{ metric.name }},
            {%- endif %}
        {%- endfor %}
        0 as no_metric

    from windowed

),

final as (

    select
        account_id,
        as_of_date,
        {%- for metric in metrics %}
            {%- if metric.measure == 'ratio' %}
                {%- set numerator = metric.numerator %}
                {%- set denominator = metric.denominator %}
                {%- set value = 'case when ' ~ denominator ~ ' <> 0 then ' ~ numerator ~ ' / ' ~ denominator ~ ' end' %}
            {%- else %}
                {%- set value = metric.name %}
            {%- endif %}
            -- Unknown before usage tracking began.
            cast(
                case when first_usage_date is null or as_of_date >= first_usage_date then {{ value }} end
                as {{ metric_sql_type(metric) }}
            ) as {{ metric.name }}{% if not loop.last %},{% endif %}
        {%- else %}
            cast(null as {{ dbt.type_string() }}) as no_activity_metric
        {%- endfor %}

    from computed

)

select * from final

-- The days before the first day rebuilt were read only for the windows.
where {{ days_to_rebuild('as_of_date') }}
