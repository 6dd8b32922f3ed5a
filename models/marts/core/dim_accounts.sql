-- One row per account with its current CRM attributes and its latest health (as of the data's as-of date).

with

accounts as (

    select * from {{ ref('int_accounts') }}

),

latest_health as (

    select *
    from {{ ref('fct_account_health_daily') }}
    where as_of_date = (select max(all_days.as_of_date) from {{ ref('fct_account_health_daily') }} as all_days)

),

final as (

    select
        cast(accounts.account_id as {{ dbt.type_string() }}) as account_id,
        cast(accounts.crm_account_id as {{ dbt.type_string() }}) as crm_account_id,
        cast(accounts.account_name as {{ dbt.type_string() }}) as account_name,
        cast(accounts.parent_account_id as {{ dbt.type_string() }}) as parent_account_id,
        cast(accounts.status as {{ dbt.type_string() }}) as status,
        cast(accounts.tier as {{ dbt.type_string() }}) as tier,
        cast(accounts.contract_value as {{ health_type_double() }}) as contract_value,
        cast(accounts.licenses as {{ dbt.type_bigint() }}) as licenses,
        cast(accounts.contract_start_date as date) as contract_start_date,
        cast(accounts.renewal_date as date) as renewal_date,
        cast(accounts.cancellation_date as date) as cancellation_date,
        cast(accounts.success_manager as {{ dbt.type_string() }}) as success_manager,
        cast(accounts.company_size as {{ dbt.type_string() }}) as company_size,
        cast(accounts.industry as {{ dbt.type_string() }}) as industry,
        cast(accounts.journey_stage as {{ dbt.type_string() }}) as journey_stage,
        cast(accounts.onboarding_program as {{ dbt.type_string() }}) as onboarding_program,
        cast(accounts.project_status as {{ dbt.type_string() }}) as project_status,
        cast(accounts.risk_status as {{ dbt.type_string() }}) as risk_status,
        cast(accounts.csm_sentiment as {{ dbt.type_string() }}) as csm_sentiment,
        cast(accounts.created_date as date) as created_date,
        cast(latest_health.profile as {{ dbt.type_string() }}) as health_profile,
        cast(latest_health.health_rank as {{ dbt.type_string() }}) as health_rank,
        cast(latest_health.health_score as {{ health_type_double() }}) as health_score,
        cast(latest_health.reason as {{ dbt.type_string() }}) as health_reason,
        cast(latest_health.engagement_score as {{ health_type_double() }}) as engagement_score,
        cast(latest_health.usage_frequency as {{ dbt.type_string() }}) as usage_frequency,
        cast(accounts.last_activity_date as date) as last_active_date,
        cast(latest_health.as_of_date as date) as health_as_of_date,
        cast(latest_health.rank_changed_on as date) as health_rank_since

    from accounts

    left join latest_health
        on accounts.account_id = latest_health.account_id

)

select * from final
