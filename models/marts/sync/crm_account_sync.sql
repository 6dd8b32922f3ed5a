-- The CRM sync's payload: one row per account with what Pulse writes back to the CRM (Insights tags, lifecycle
-- status, health, engagement, churn risk), as of the warehouse's as-of date. Which CRM field gets which column
-- is configuration: one mapping file per destination (orchestration/sync/destinations/*.yml). Churn risk comes
-- from the score Pulse's Python step writes after the dbt build; until that step has run once, it is null.

{%- set churn_risk_source = source('churn_risk', 'fct_account_churn_risk_daily') %}

with

accounts as (

    select * from {{ ref('dim_accounts') }}

),

health_daily as (

    select * from {{ ref('fct_account_health_daily') }}

),

lifecycle_daily as (

    select * from {{ ref('fct_lifecycle_status_daily') }}

),

churn_risk_daily as (

    {% if relation_exists(churn_risk_source) -%}
        select
            account_id,
            as_of_date,
            churn_probability,
            risk_decile
        from {{ churn_risk_source }}
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as date) as as_of_date,
            cast(null as {{ health_type_double() }}) as churn_probability,
            cast(null as integer) as risk_decile
        where false
    {%- endif %}

),

as_of as (

    select max(as_of_date) as as_of_date from health_daily

),

final as (

    select
        accounts.account_id,
        accounts.crm_account_id,
        accounts.account_name,
        accounts.insights_tags,
        lifecycle_daily.lifecycle_status,
        accounts.health_rank,
        accounts.health_reason,
        round(accounts.health_score, 1) as health_score,
        round(accounts.engagement_score, 1) as engagement_score,
        accounts.usage_frequency,
        health_daily.active_users_30d,
        round(churn_risk_daily.churn_probability, 3) as churn_risk,
        churn_risk_daily.risk_decile as churn_risk_decile,
        accounts.health_rank_since as health_changed_on,
        as_of.as_of_date

    from accounts

    cross join as_of

    left join health_daily
        on
            accounts.account_id = health_daily.account_id
            and accounts.health_as_of_date = health_daily.as_of_date

    left join lifecycle_daily
        on
            accounts.account_id = lifecycle_daily.account_id
            and accounts.health_as_of_date = lifecycle_daily.as_of_date

    left join churn_risk_daily
        on
            accounts.account_id = churn_risk_daily.account_id
            and accounts.health_as_of_date = churn_risk_daily.as_of_date

)

select * from final
