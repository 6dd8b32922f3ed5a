-- CRM attributes per account and day as they were that day (stg_crm__accounts is a type-2 history).
-- A version is in force from the day of its valid_from up to the day before the next version's day
-- (when several versions share a day, the day's last one wins). Days before the first export use the first
-- version, so history is complete from creation.
-- Also the metrics days_to_next_quarter_anniversary (the check-in lists' 3/6/9/12-month anniversaries) and
-- days_since_contract_start (the lifecycle's 30/60/90-day onboarding). Incremental (rebuild_days.sql): each
-- day is its own.
{{ daily_incremental() }}

with

days as (

    select
        account_id,
        as_of_date

    from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date') }}

),

accounts as (

    select
        account_id,
        crm_account_id

    from {{ ref('int_accounts') }}

    where crm_account_id is not null

),

versions as (

    select
        crm_account_id,
        status,
        tier,
        contract_value,
        licenses,
        contract_start_date,
        renewal_date,
        cancellation_date,
        success_manager,
        company_size,
        industry,
        journey_stage,
        journey_stage_date,
        onboarding_program,
        project_status,
        risk_status,
        csm_sentiment,
        cast(valid_from as date) as valid_from_date,
        cast(valid_to as date) as valid_to_date,
        row_number() over (partition by crm_account_id order by valid_from) as version_number

    from {{ ref('stg_crm__accounts') }}

),

ranges as (

    select
        *,
        case when version_number = 1 then cast('1900-01-01' as date) else valid_from_date end as in_force_from

    from versions

    -- A version replaced on the day it appeared was never in force at the end of a day.
    where valid_to_date is null or valid_to_date > valid_from_date

),

crm_days as (

    select
        days.account_id,
        days.as_of_date,
        ranges.status,
        ranges.tier,
        ranges.contract_value,
        ranges.licenses,
        ranges.contract_start_date,
        ranges.renewal_date,
        ranges.cancellation_date,
        ranges.success_manager,
        ranges.company_size,
        ranges.industry,
        ranges.journey_stage,
        ranges.journey_stage_date,
        ranges.onboarding_program,
        ranges.project_status,
        ranges.risk_status,
        ranges.csm_sentiment

    from days

    inner join accounts
        on days.account_id = accounts.account_id

    inner join ranges
        on
            accounts.crm_account_id = ranges.crm_account_id
            and days.as_of_date >= ranges.in_force_from
            and (ranges.valid_to_date is null or days.as_of_date < ranges.valid_to_date)

),

-- Quarterly anniversaries of the contract start: start + 3, 6, 9, 12, 15, ... months, clamped to the month's
-- end the usual way (a start on Jan 31 has its 3-month anniversary on Apr 30; a start on Feb 29 its 12-month one
-- on Feb 28). quarter_months: the last multiple of 3 months up to the calendar months elapsed.
quarters as (

    select
        *,
        {{ dbt.datediff('contract_start_date', 'as_of_date', 'month') | trim }}
        - mod({{ dbt.datediff('contract_start_date', 'as_of_date', 'month') | trim }}, 3) as quarter_months

    from crm_days

),

anniversaries as (

    select
        *,
        cast({{ dbt.dateadd('month', 'quarter_months', 'contract_start_date') | trim }} as date)
            as quarter_anniversary,
        cast({{ dbt.dateadd('month', 'quarter_months + 3', 'contract_start_date') | trim }} as date)
            as following_quarter_anniversary

    from quarters

),

final as (

    select
        account_id,
        as_of_date,
        status,
        tier,
        contract_value,
        licenses,
        contract_start_date,
        renewal_date,
        cancellation_date,
        success_manager,
        company_size,
        industry,
        journey_stage,
        journey_stage_date,
        onboarding_program,
        project_status,
        risk_status,
        csm_sentiment,
        case
            when contract_start_date <= as_of_date
                then {{ dbt.datediff('contract_start_date', 'as_of_date', 'day') | trim }}
        end as days_since_contract_start,
        -- Days to the next quarterly anniversary (0 on it); the start itself is not one; null before the start.
        case
            when contract_start_date is null or as_of_date < contract_start_date then null
            when quarter_months >= 3 and quarter_anniversary >= as_of_date
                then {{ dbt.datediff('as_of_date', 'quarter_anniversary', 'day') | trim }}
            else {{ dbt.datediff('as_of_date', 'following_quarter_anniversary', 'day') | trim }}
        end as days_to_next_quarter_anniversary

    from anniversaries

)

select * from final
