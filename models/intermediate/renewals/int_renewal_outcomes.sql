-- One row per past contract term from the subscription history (int_contract_renewals, is_past): whether it
-- renewed, and the risk class it had when its 120-day renewal window opened: the account's health rank on the
-- window's first day (or the first day within the window health was known), or, when the account was in the
-- lifecycle renewal window that day, the window's outcome (as fct_renewals classifies upcoming renewals), mapped
-- by seed renewal_risk_classes; a cancellation requested by then is High; no health known is Unknown (Average).

with

terms as (

    select * from {{ ref('int_contract_renewals') }}

    where is_past and is_renewed is not null

),

health as (

    select
        account_id,
        as_of_date,
        health_rank

    from {{ ref('int_health_rolled_up_daily') }}

),

renewal_window as (

    select
        account_id,
        as_of_date,
        outcome

    from {{ ref('int_lifecycle_status_daily') }}

    where stage = '{{ var("renewal_lifecycle_stage") }}'

),

classes as (

    select * from {{ ref('renewal_risk_classes') }}

),

windowed as (

    select
        terms.account_id,
        terms.subscription_id,
        terms.renewal_date,
        terms.renewal_value,
        terms.is_renewed,
        -- what was known when the window opened: a cancellation requested by then
        coalesce(
            terms.cancellation_requested_date <= {{ dbt.dateadd('day', -120, 'terms.renewal_date') }}, false
        ) as is_cancellation_requested,
        health.health_rank,
        renewal_window.outcome as renewal_window_outcome,
        row_number() over (
            partition by terms.account_id, terms.subscription_id, terms.renewal_date
            order by health.as_of_date
        ) as day_rank

    from terms

    left join health
        on
            terms.account_id = health.account_id
            and health.as_of_date >= {{ dbt.dateadd('day', -120, 'terms.renewal_date') }}
            and terms.renewal_date > health.as_of_date

    left join renewal_window
        on
            health.account_id = renewal_window.account_id
            and health.as_of_date = renewal_window.as_of_date

),

final as (

    select
        windowed.account_id,
        windowed.subscription_id,
        windowed.renewal_date,
        cast({{ dbt.date_trunc('quarter', 'windowed.renewal_date') }} as date) as renewal_quarter,
        windowed.renewal_value,
        windowed.is_renewed,
        coalesce(windowed.health_rank, 'Unknown') as window_health_rank,
        windowed.renewal_window_outcome,
        case when windowed.is_cancellation_requested then 'High' else classes.risk_class end as risk_class

    from windowed

    left join classes
        on coalesce(windowed.renewal_window_outcome, windowed.health_rank, 'Unknown') = classes.health_rank

    where windowed.day_rank = 1

)

select * from final
