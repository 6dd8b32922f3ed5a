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

-- The Insights tags on the as-of date, sorted and separated by ; (a Salesforce multi-select value).
current_tags as (

    select
        account_id,
        {{ dbt.listagg('tag', "';'", 'order by tag') }} as insights_tags

    from {{ ref('fct_account_tags_daily') }}

    where as_of_date = (select max(all_days.as_of_date) from {{ ref('fct_account_health_daily') }} as all_days)

    group by account_id

),

final as (

    select
        accounts.account_id,
        accounts.crm_account_id,
        accounts.account_name,
        accounts.parent_account_id,
        accounts.status,
        accounts.tier,
        accounts.contract_value,
        -- int_accounts keeps the CRM export's integer; the contract says bigint.
        cast(accounts.licenses as {{ dbt.type_bigint() }}) as licenses,
        accounts.contract_start_date,
        accounts.renewal_date,
        accounts.cancellation_date,
        accounts.success_manager,
        accounts.company_size,
        accounts.industry,
        accounts.journey_stage,
        accounts.onboarding_program,
        accounts.project_status,
        accounts.risk_status,
        accounts.csm_sentiment,
        accounts.created_date,
        latest_health.profile as health_profile,
        latest_health.health_rank,
        latest_health.health_score,
        latest_health.reason as health_reason,
        latest_health.engagement_score,
        latest_health.usage_frequency,
        accounts.last_activity_date as last_active_date,
        latest_health.as_of_date as health_as_of_date,
        latest_health.rank_changed_on as health_rank_since,
        current_tags.insights_tags

    from accounts

    left join latest_health
        on accounts.account_id = latest_health.account_id

    left join current_tags
        on accounts.account_id = current_tags.account_id

)

select * from final
