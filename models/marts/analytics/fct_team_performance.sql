-- One row per success manager (their accounts today): accounts, paying accounts, annual recurring value,
-- health mix, renewals won and lost in the 365 days up to the as-of date, and the next four quarters'
-- renewals with their value at risk.

with

accounts as (

    select * from {{ ref('dim_accounts') }}

),

billing as (

    select * from {{ ref('int_account_billing_status') }}

),

as_of as (

    select as_of_date from {{ ref('int_revenue_as_of') }}

),

past_renewals as (

    select
        outcomes.account_id,
        outcomes.is_renewed,
        outcomes.renewal_value

    from {{ ref('int_renewal_outcomes') }} as outcomes

    cross join as_of

    where outcomes.renewal_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}

),

team_accounts as (

    select
        coalesce(accounts.success_manager, '(none)') as success_manager,
        count(*) as accounts,
        sum(case when accounts.status = 'Paying' then 1 else 0 end) as paying_accounts,
        sum(
            case
                when accounts.status = 'Paying'
                    then coalesce(nullif(billing.current_mrr, 0) * 12, accounts.contract_value, 0)
                else 0
            end
        ) as annual_recurring_value,
        sum(case when accounts.health_rank = 'Good' then 1 else 0 end) as good_accounts,
        sum(case when accounts.health_rank = 'Average' then 1 else 0 end) as average_accounts,
        sum(case when accounts.health_rank = 'Poor' then 1 else 0 end) as poor_accounts,
        sum(case when coalesce(accounts.health_rank, 'Unknown') = 'Unknown' then 1 else 0 end) as unknown_accounts

    from accounts

    left join billing
        on accounts.account_id = billing.account_id

    where coalesce(accounts.status, '') != 'Cancelled'

    group by coalesce(accounts.success_manager, '(none)')

),

team_renewals as (

    select
        coalesce(accounts.success_manager, '(none)') as success_manager,
        sum(case when past_renewals.is_renewed then 1 else 0 end) as renewals_won_365d,
        sum(case when not past_renewals.is_renewed then 1 else 0 end) as renewals_lost_365d,
        sum(case when not past_renewals.is_renewed then past_renewals.renewal_value else 0 end)
            as value_lost_365d

    from past_renewals

    inner join accounts
        on past_renewals.account_id = accounts.account_id

    group by coalesce(accounts.success_manager, '(none)')

),

team_upcoming as (

    select
        coalesce(success_manager, '(none)') as success_manager,
        count(*) as renewals_next_4q,
        sum(renewal_value) as value_renewing_next_4q,
        sum(value_at_risk) as value_at_risk_next_4q

    from {{ ref('fct_renewals') }}

    group by coalesce(success_manager, '(none)')

),

final as (

    select
        team_accounts.success_manager,
        cast(team_accounts.accounts as bigint) as accounts,
        cast(team_accounts.paying_accounts as bigint) as paying_accounts,
        cast(team_accounts.annual_recurring_value as double) as annual_recurring_value,
        cast(team_accounts.good_accounts as bigint) as good_accounts,
        cast(team_accounts.average_accounts as bigint) as average_accounts,
        cast(team_accounts.poor_accounts as bigint) as poor_accounts,
        cast(team_accounts.unknown_accounts as bigint) as unknown_accounts,
        cast(coalesce(team_renewals.renewals_won_365d, 0) as bigint) as renewals_won_365d,
        cast(coalesce(team_renewals.renewals_lost_365d, 0) as bigint) as renewals_lost_365d,
        cast(team_renewals.renewals_won_365d as double)
        / nullif(team_renewals.renewals_won_365d + team_renewals.renewals_lost_365d, 0) as renewal_rate_365d,
        cast(coalesce(team_renewals.value_lost_365d, 0) as double) as value_lost_365d,
        cast(coalesce(team_upcoming.renewals_next_4q, 0) as bigint) as renewals_next_4q,
        cast(coalesce(team_upcoming.value_renewing_next_4q, 0) as double) as value_renewing_next_4q,
        cast(coalesce(team_upcoming.value_at_risk_next_4q, 0) as double) as value_at_risk_next_4q,
        (select as_of.as_of_date from as_of) as as_of_date

    from team_accounts

    left join team_renewals
        on team_accounts.success_manager = team_renewals.success_manager

    left join team_upcoming
        on team_accounts.success_manager = team_upcoming.success_manager

)

select * from final
