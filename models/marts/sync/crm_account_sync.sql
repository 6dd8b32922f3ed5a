-- The CRM sync's payload: one row per account with what Pulse writes back to the CRM (Insights tags, health,
-- engagement), as of the warehouse's as-of date. Which CRM field gets which column is configuration: one
-- mapping file per destination (orchestration/sync/destinations/*.yml).

with

accounts as (

    select * from {{ ref('dim_accounts') }}

),

health_daily as (

    select * from {{ ref('fct_account_health_daily') }}

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
        accounts.health_rank,
        accounts.health_reason,
        round(accounts.health_score, 1) as health_score,
        round(accounts.engagement_score, 1) as engagement_score,
        accounts.usage_frequency,
        health_daily.active_users_30d,
        accounts.health_rank_since as health_changed_on,
        as_of.as_of_date

    from accounts

    cross join as_of

    left join health_daily
        on
            accounts.account_id = health_daily.account_id
            and accounts.health_as_of_date = health_daily.as_of_date

)

select * from final
