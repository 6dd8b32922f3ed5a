-- One row per account (app account id, or the CRM id for CRM-only accounts such as parent companies):
-- current CRM attributes, parent, and the creation date the daily spine starts from
-- (the earlier of the CRM creation date and the first event). When the CRM says nothing about an account's
-- status or cancellation date, they come from its subscription history (int_account_billing_status).

with

crm_versions as (

    select * from {{ ref('stg_crm__accounts') }}

),

crm_current as (

    select
        crm_account_id,
        coalesce(account_id, crm_account_id) as account_id,
        account_name,
        parent_crm_account_id,
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
        -- One CRM record per account id: the most recently created wins if the CRM has duplicates.
        row_number() over (
            partition by coalesce(account_id, crm_account_id)
            order by created_at desc, crm_account_id desc
        ) as record_rank

    from crm_versions

    where is_current

),

crm_created as (

    select
        crm_account_id,
        cast(min(coalesce(created_at, valid_from)) as date) as crm_created_date

    from crm_versions

    group by crm_account_id

),

app_accounts as (

    select
        account_id,
        account_name,
        cast(first_seen_at as date) as first_seen_date

    from {{ ref('stg_app__account_traits') }}

),

first_usage as (

    select
        account_id,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date

    from {{ ref('int_usage_daily') }}

    where actions > 0

    group by account_id

),

billing as (

    select * from {{ ref('int_account_billing_status') }}

),

account_ids as (

    select account_id from crm_current
    where record_rank = 1
    union
    select account_id from app_accounts
    union
    select account_id from first_usage
    union
    select account_id from billing

),

final as (

    select
        account_ids.account_id,
        crm.crm_account_id,
        coalesce(crm.account_name, app.account_name, account_ids.account_id) as account_name,
        coalesce(parent.account_id, crm.parent_crm_account_id) as parent_account_id,
        coalesce(crm.status, billing.billing_status) as status,
        crm.tier,
        crm.contract_value,
        crm.licenses,
        crm.contract_start_date,
        crm.renewal_date,
        coalesce(
            crm.cancellation_date,
            case
                when coalesce(crm.status, billing.billing_status) = 'Cancelled'
                    then billing.billing_cancellation_date
            end
        ) as cancellation_date,
        crm.success_manager,
        crm.company_size,
        crm.industry,
        crm.journey_stage,
        crm.journey_stage_date,
        crm.onboarding_program,
        crm.project_status,
        crm.risk_status,
        crm.csm_sentiment,
        case
            when created.crm_created_date is null
                then coalesce(activity.first_activity_date, app.first_seen_date, billing.first_line_date)
            when activity.first_activity_date is null then created.crm_created_date
            when activity.first_activity_date < created.crm_created_date then activity.first_activity_date
            else created.crm_created_date
        end as created_date,
        activity.first_activity_date,
        activity.last_activity_date

    from account_ids

    left join crm_current as crm
        on
            account_ids.account_id = crm.account_id
            and crm.record_rank = 1

    left join crm_created as created
        on crm.crm_account_id = created.crm_account_id

    left join app_accounts as app
        on account_ids.account_id = app.account_id

    left join first_usage as activity
        on account_ids.account_id = activity.account_id

    left join billing
        on account_ids.account_id = billing.account_id

    left join crm_current as parent
        on
            crm.parent_crm_account_id = parent.crm_account_id
            and parent.record_rank = 1

)

select * from final
