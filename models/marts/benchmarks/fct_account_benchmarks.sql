-- One row per account and key metric on the as-of date: the account's value as a percentile within its peer
-- group and the peer median beside it. Peer groups, narrowest first: tier + company size + age cohort, tier +
-- company size, tier, all accounts; the narrowest with at least var('benchmark_min_peer_accounts') accounts
-- having a value is used, and named in the row. Cancelled accounts and parent roll-ups are left out.

{% set metrics = [
    'health_score', 'engagement_score', 'active_users_30d', 'active_days_30d', 'actions_per_day_14d',
    'minutes_per_week', 'license_utilization', 'key_modules_used', 'tickets_30d',
] %}
{% set levels = [
    ('tier, company size, age', "coalesce(tier, '?') || ' / ' || coalesce(company_size, '?') || ' / ' || age_cohort"),
    ('tier, company size', "coalesce(tier, '?') || ' / ' || coalesce(company_size, '?')"),
    ('tier', "coalesce(tier, '?')"),
    ('all accounts', "'all'"),
] %}

with

health as (

    select * from {{ ref('fct_account_health_daily') }}

),

today as (

    select
        health.*,
        case
            when health.account_age_days < 90 then 'under 90 days'
            when health.account_age_days < 365 then '90-364 days'
            when health.account_age_days < 730 then '1-2 years'
            else '2+ years'
        end as age_cohort

    from health

    where
        health.as_of_date = (select max(all_days.as_of_date) from health as all_days)
        and coalesce(health.status, '') != 'Cancelled'
        and not coalesce(health.is_parent_rollup, false)

),

long_form as (

    {% for metric in metrics %}
        select
            account_id,
            as_of_date,
            tier,
            company_size,
            age_cohort,
            '{{ metric }}' as metric,
            cast({{ metric }} as double) as metric_value
        from today
        where {{ metric }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

by_level as (

    {% for level_name, level_key in levels %}
        select
            account_id,
            as_of_date,
            metric,
            metric_value,
            {{ loop.index }} as level_order,
            '{{ level_name }}' as peer_group_level,
            {{ level_key }} as peer_group,
            count(*) over (partition by metric, {{ level_key }}) as peer_accounts,
            percent_rank() over (partition by metric, {{ level_key }} order by metric_value) as percent_rank_value,
            median(metric_value) over (partition by metric, {{ level_key }}) as peer_median
        from long_form
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- the narrowest group that is large enough; when none is, the broadest (all accounts)
picked as (

    select
        *,
        min(case when peer_accounts >= {{ var('benchmark_min_peer_accounts') }} then level_order end)
            over (partition by account_id, metric) as narrowest_large_enough

    from by_level

),

final as (

    select
        account_id,
        as_of_date,
        metric,
        metric_value,
        peer_group_level,
        peer_group,
        cast(peer_accounts as bigint) as peer_accounts,
        cast(round(100 * percent_rank_value, 1) as double) as percentile,
        cast(peer_median as double) as peer_median,
        level_order > 1 as is_broader_group

    from picked

    where level_order = coalesce(narrowest_large_enough, {{ levels | length }})

)

select * from final
