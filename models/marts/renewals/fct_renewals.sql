-- One row per contract renewing in the next four quarters (the current calendar quarter after the as-of date
-- and the three after it): value, date, the account's health today with its reason, the health trend against
-- 30 and 90 days ago, the renewal risk, open tickets, CSM sentiment and the value at risk.
-- Renewal risk, as seed 004 reads it: an account in the lifecycle renewal window takes the window's outcome
-- (Good, Average, Poor: Renewal-Low / Average / High Risk); any other account its health rank; both are mapped
-- to a class by seed renewal_risk_classes. A requested cancellation is High.

with

as_of as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('quarter', 'as_of_date') }} as date) as current_quarter

    from {{ ref('int_revenue_as_of') }}

),

upcoming as (

    select terms.*

    from {{ ref('int_contract_renewals') }} as terms

    cross join as_of

    where
        terms.renewal_date > as_of.as_of_date
        and terms.renewal_date < {{ dbt.dateadd('month', 12, 'as_of.current_quarter') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

health as (

    select
        account_id,
        as_of_date,
        health_rank,
        health_score,
        reason,
        open_tickets

    from {{ ref('fct_account_health_daily') }}

),

health_today as (

    select health.*

    from health

    where health.as_of_date = (select max(all_days.as_of_date) from health as all_days)

),

renewal_window_today as (

    select
        lifecycle.account_id,
        lifecycle.outcome,
        lifecycle.reason

    from {{ ref('fct_lifecycle_status_daily') }} as lifecycle

    where
        lifecycle.stage = '{{ var("renewal_lifecycle_stage") }}'
        and lifecycle.as_of_date = (select max(today.as_of_date) from health_today as today)

),

classes as (

    select * from {{ ref('renewal_risk_classes') }}

),

probabilities as (

    select * from {{ ref('int_renewal_probabilities') }}

),

joined as (

    select
        upcoming.account_id,
        accounts.account_name,
        upcoming.subscription_id,
        upcoming.contract_source,
        upcoming.renewal_date,
        cast({{ dbt.date_trunc('quarter', 'upcoming.renewal_date') }} as date) as renewal_quarter,
        {{ dbt.datediff('as_of.as_of_date', 'upcoming.renewal_date', 'day') | trim }} as days_to_renewal,
        upcoming.renewal_value,
        accounts.success_manager,
        accounts.tier,
        accounts.csm_sentiment,
        upcoming.is_cancellation_requested,
        coalesce(today.health_rank, 'Unknown') as health_rank,
        today.health_score,
        today.reason as health_reason,
        ago_30.health_rank as health_rank_30d_ago,
        ago_30.health_score as health_score_30d_ago,
        ago_90.health_rank as health_rank_90d_ago,
        ago_90.health_score as health_score_90d_ago,
        today.open_tickets,
        renewal_window.outcome as renewal_window_outcome,
        renewal_window.reason as renewal_window_reason,
        as_of.as_of_date

    from upcoming

    cross join as_of

    left join accounts
        on upcoming.account_id = accounts.account_id

    left join health_today as today
        on upcoming.account_id = today.account_id

    left join renewal_window_today as renewal_window
        on upcoming.account_id = renewal_window.account_id

    left join health as ago_30
        on
            upcoming.account_id = ago_30.account_id
            and ago_30.as_of_date = {{ dbt.dateadd('day', -30, 'today.as_of_date') }}

    left join health as ago_90
        on
            upcoming.account_id = ago_90.account_id
            and ago_90.as_of_date = {{ dbt.dateadd('day', -90, 'today.as_of_date') }}

),

classified as (

    select
        joined.*,
        joined.days_to_renewal <= 120 as is_in_renewal_window,
        case when joined.is_cancellation_requested then 'High' else coalesce(classes.risk_class, 'Average') end
            as renewal_risk,
        case
            when joined.is_cancellation_requested then 'cancellation'
            when joined.renewal_window_outcome is not null then 'renewal window'
            else 'health'
        end as risk_basis,
        case
            when joined.is_cancellation_requested then 'Cancellation requested'
            when joined.renewal_window_outcome is not null
                then {{ dbt.concat([
                    "'Renewal window '",
                    "joined.renewal_window_outcome",
                    "coalesce(': ' || joined.renewal_window_reason, '')",
                ]) }}
            when joined.health_rank = 'Unknown' then 'Health unknown'
            else {{ dbt.concat(["'Health '", "joined.health_rank", "coalesce(': ' || joined.health_reason, '')"]) }}
        end as risk_reason,
        {% set rank_order = "case {r} when 'Good' then 3 when 'Average' then 2 when 'Poor' then 1 end" %}
        case
            when joined.health_rank_30d_ago is null or joined.health_rank = 'Unknown' then 'unknown'
            when
                {{ rank_order.format(r='joined.health_rank') }}
                > {{ rank_order.format(r='joined.health_rank_30d_ago') }}
                then 'improving'
            when
                {{ rank_order.format(r='joined.health_rank') }}
                < {{ rank_order.format(r='joined.health_rank_30d_ago') }}
                then 'declining'
            else 'stable'
        end as health_trend_30d,
        case
            when joined.health_rank_90d_ago is null or joined.health_rank = 'Unknown' then 'unknown'
            when
                {{ rank_order.format(r='joined.health_rank') }}
                > {{ rank_order.format(r='joined.health_rank_90d_ago') }}
                then 'improving'
            when
                {{ rank_order.format(r='joined.health_rank') }}
                < {{ rank_order.format(r='joined.health_rank_90d_ago') }}
                then 'declining'
            else 'stable'
        end as health_trend_90d

    from joined

    left join classes
        on coalesce(joined.renewal_window_outcome, joined.health_rank) = classes.health_rank

),

final as (

    select
        classified.account_id,
        classified.account_name,
        classified.subscription_id,
        classified.contract_source,
        classified.renewal_date,
        classified.renewal_quarter,
        classified.days_to_renewal,
        classified.is_in_renewal_window,
        cast(classified.renewal_value as double) as renewal_value,
        classified.success_manager,
        classified.tier,
        classified.health_rank,
        cast(classified.health_score as double) as health_score,
        classified.health_reason,
        classified.health_rank_30d_ago,
        classified.health_rank_90d_ago,
        cast(classified.health_score - classified.health_score_30d_ago as double) as health_score_change_30d,
        cast(classified.health_score - classified.health_score_90d_ago as double) as health_score_change_90d,
        classified.health_trend_30d,
        classified.health_trend_90d,
        classified.renewal_risk,
        classified.risk_basis,
        classified.risk_reason,
        classified.is_cancellation_requested,
        cast(classified.open_tickets as bigint) as open_tickets,
        classified.csm_sentiment,
        cast(probabilities.renewal_probability as double) as renewal_probability,
        cast(round(classified.renewal_value * (1 - probabilities.renewal_probability), 2) as double) as value_at_risk,
        classified.as_of_date

    from classified

    left join probabilities
        on classified.renewal_risk = probabilities.risk_class

)

select * from final
