-- One row per account with subscription lines: its status derived from the subscription history as of the
-- revenue as-of date, for accounts whose CRM says nothing about status or cancellation (int_accounts uses it
-- only where the CRM field is empty).
-- Paying: a paid line (recurring revenue > 0, not a trial) runs on the as-of date. Trial: a trial line runs.
-- Cancelled: it had lines and none runs; the cancellation date is when its last line ended.

with

versions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

as_of as (

    select * from {{ ref('int_revenue_as_of') }}

),

flagged as (

    select
        versions.*,
        versions.valid_from <= as_of.as_of_date
        and (versions.valid_to > as_of.as_of_date or versions.valid_to is null) as is_running

    from versions

    cross join as_of

    where versions.valid_from <= as_of.as_of_date

),

final as (

    select
        account_id,
        case
            when {{ dbt.bool_or('is_running and not is_trial and mrr > 0') }} then 'Paying'
            when {{ dbt.bool_or('is_running and is_trial') }} then 'Trial'
            when {{ dbt.bool_or('is_running') }} then 'Free'
            else 'Cancelled'
        end as billing_status,
        case when not {{ dbt.bool_or('is_running') }} then max(valid_to) end as billing_cancellation_date,
        min(case when not is_trial and mrr > 0 then valid_from end) as first_paid_date,
        min(valid_from) as first_line_date,
        coalesce(sum(case when is_running and not is_trial then mrr end), 0) as current_mrr

    from flagged

    group by account_id

)

select * from final
