-- Which health profile applies to each account and day: the first profile (lowest precedence) whose segment
-- filters (seed health_segment_filters, any number of rows) all hold; a condition on a missing value does not
-- hold; a profile without filters applies to every account. Cancelled accounts get no profile
-- (Unknown), and so do accounts no profile matches.
-- The filters read the metrics from the account-day's own columns (the engine's wide_metrics, as the lists do):
-- the long form joined every account-day with ~70 metric rows, which at 100M events spilled tens of GB.
{{ daily_incremental() }}

{%- set account_catalog = metric_catalog() %}

with

account_days as (

    select * from {{ ref('int_account_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

profiles as (

    select * from {{ ref('int_health_profiles') }}

),

filters as (

    select * from {{ ref('int_health_segment_filters') }}

),

-- Every segment condition of every profile on every account-day (the criteria engine).
condition_results as (

    {{ criteria_evaluate(
        'account_days', 'filters', none,
        subject_keys=['account_id', 'as_of_date'],
        rule_columns=['profile'],
        wide_metrics=account_catalog,
    ) }}

),

failed_profiles as (

    select
        account_id,
        as_of_date,
        profile

    from condition_results

    group by account_id, as_of_date, profile

    having sum(case when holds then 0 else 1 end) > 0

),

candidates as (

    select
        account_days.account_id,
        account_days.as_of_date,
        profiles.profile,
        profiles.model,
        row_number() over (
            partition by account_days.account_id, account_days.as_of_date
            order by profiles.precedence, profiles.profile
        ) as match_order

    from account_days

    cross join profiles

    left join failed_profiles
        on
            account_days.account_id = failed_profiles.account_id
            and account_days.as_of_date = failed_profiles.as_of_date
            and profiles.profile = failed_profiles.profile

    where
        failed_profiles.profile is null
        and coalesce(account_days.status, '') <> 'Cancelled'

),

final as (

    select
        account_days.account_id,
        account_days.as_of_date,
        candidates.profile,
        candidates.model,
        case
            when account_days.status = 'Cancelled' then 'cancelled'
            when candidates.profile is null then 'no_profile'
        end as unknown_reason

    from account_days

    left join candidates
        on
            account_days.account_id = candidates.account_id
            and account_days.as_of_date = candidates.as_of_date
            and candidates.match_order = 1

)

select * from final
