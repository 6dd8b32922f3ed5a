-- One row per contract term that ends (renews or not): past ones with their outcome, upcoming ones open.
-- Contracts come from the subscription history: a paid line version (recurring revenue > 0, not a trial) whose
-- term ends on its period end (or its end date when the line ended before it); when several versions of a line
-- share a term end (a change mid-term), the last one is what renews. Its value is the annual recurring revenue
-- (MRR x 12). An account with no subscription lines falls back to its CRM contract (renewal date and contract
-- value) when Paying.
-- Past terms (ending on or before the as-of date) renewed when the account is still active on the term's end
-- date (a paid line with valid_from <= end < valid_to), else they were cancelled; unknown (null) when the term
-- ends on a censored end (stg_billing__subscriptions.is_end_censored: after the billing data is known through).

with

versions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

as_of as (

    select as_of_date from {{ ref('int_revenue_as_of') }}

),

paid as (

    select * from versions
    where not is_trial and mrr > 0

),

terms as (

    select
        account_id,
        subscription_id,
        -- the term ends at its period end, or earlier when the line ended before it (a cancellation)
        case
            when end_date is not null and (period_end_date is null or end_date < period_end_date) then end_date
            else period_end_date
        end as renewal_date,
        mrr * 12 as renewal_value,
        cast(canceled_at as date) as cancellation_requested_date,
        is_end_censored,
        valid_from

    from paid

    where coalesce(period_end_date, end_date) is not null

),

ranked_terms as (

    select
        *,
        row_number() over (partition by subscription_id, renewal_date order by valid_from desc) as version_rank

    from terms

),

billing_terms as (

    select
        terms.account_id,
        terms.subscription_id,
        'billing' as contract_source,
        terms.renewal_date,
        cast(terms.renewal_value as double) as renewal_value,
        terms.cancellation_requested_date,
        terms.is_end_censored

    from ranked_terms as terms

    where terms.version_rank = 1

),

crm_terms as (

    select
        accounts.account_id,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        'crm' as contract_source,
        accounts.renewal_date,
        cast(accounts.contract_value as double) as renewal_value,
        cast(null as date) as cancellation_requested_date,
        false as is_end_censored

    from {{ ref('int_accounts') }} as accounts

    where
        accounts.status = 'Paying'
        and accounts.renewal_date is not null
        and accounts.account_id not in (select billed.account_id from versions as billed)

),

all_terms as (

    select * from billing_terms
    union all
    select * from crm_terms

),

final as (

    select
        all_terms.account_id,
        all_terms.subscription_id,
        all_terms.contract_source,
        all_terms.renewal_date,
        all_terms.renewal_value,
        all_terms.cancellation_requested_date,
        -- known on the as-of date: a cancellation requested by then
        coalesce(all_terms.cancellation_requested_date <= as_of.as_of_date, false) as is_cancellation_requested,
        all_terms.renewal_date <= as_of.as_of_date as is_past,
        case
            when all_terms.renewal_date > as_of.as_of_date then null
            when all_terms.contract_source = 'crm' then null
            when all_terms.is_end_censored then null
            else exists (
                select 1
                from paid as later
                where
                    later.account_id = all_terms.account_id
                    and later.valid_from <= all_terms.renewal_date
                    and (later.valid_to > all_terms.renewal_date or later.valid_to is null)
            )
        end as is_renewed

    from all_terms

    cross join as_of

)

select * from final
