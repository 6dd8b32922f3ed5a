-- One row per account (not cancelled) ready for an upgrade on the as-of date, with the reasons: near its
-- license capacity (utilization of at least 90%), or heavy use (on 4 or more of the last 30 days) of a module
-- that is typical of a higher tier (adopted by at least half of a higher tier's accounts and by under half of
-- its own tier's). Tiers are ordered by their accounts' average contract value, so tier names need no list.

with

health as (

    select * from {{ ref('fct_account_health_daily') }}

),

today as (

    select health.*

    from health

    where
        health.as_of_date = (select max(all_days.as_of_date) from health as all_days)
        and coalesce(health.status, '') != 'Cancelled'
        and not coalesce(health.is_parent_rollup, false)

),

tier_order as (

    select
        coalesce(tier, '(none)') as tier,
        avg(contract_value) as average_contract_value

    from today

    group by coalesce(tier, '(none)')

),

adoption as (

    select
        adoption.*,
        tier_order.average_contract_value

    from {{ ref('fct_feature_adoption_by_tier') }} as adoption

    inner join tier_order
        on adoption.tier = tier_order.tier

),

account_modules as (

    select
        usage_daily.account_id,
        usage_daily.module,
        count(distinct usage_daily.activity_date) as active_days_30d

    from {{ ref('int_usage_daily') }} as usage_daily

    inner join today
        on usage_daily.account_id = today.account_id

    where
        usage_daily.actions > 0
        and usage_daily.activity_date <= today.as_of_date
        and usage_daily.activity_date > {{ dbt.dateadd('day', -30, 'today.as_of_date') }}

    group by usage_daily.account_id, usage_daily.module

),

higher_tier_modules as (

    select
        account_modules.account_id,
        {{ pulse_listagg_distinct('account_modules.module', "', '") }} as modules

    from account_modules

    inner join today
        on account_modules.account_id = today.account_id

    inner join adoption as own
        on
            coalesce(today.tier, '(none)') = own.tier
            and account_modules.module = own.module

    where
        account_modules.active_days_30d >= 4
        and own.adoption_rate < 0.5
        and exists (
            select 1
            from adoption as higher
            where
                higher.module = account_modules.module
                and higher.average_contract_value > own.average_contract_value
                and higher.adoption_rate >= 0.5
        )

    group by account_modules.account_id

),

final as (

    select
        today.account_id,
        accounts.account_name,
        today.tier,
        today.success_manager,
        cast(today.licenses as bigint) as licenses,
        cast(today.license_utilization as double) as license_utilization,
        coalesce(today.license_utilization >= 0.9, false) as is_near_capacity,
        higher_tier_modules.modules as higher_tier_modules,
        concat_ws(
            '; ',
            case
                when today.license_utilization >= 0.9
                    then 'near license capacity (' || cast(round(100 * today.license_utilization) as bigint) || '%)'
            end,
            case
                when higher_tier_modules.modules is not null
                    then 'uses higher-tier modules: ' || higher_tier_modules.modules
            end
        ) as reasons,
        today.as_of_date

    from today

    left join higher_tier_modules
        on today.account_id = higher_tier_modules.account_id

    left join {{ ref('dim_accounts') }} as accounts
        on today.account_id = accounts.account_id

    where today.license_utilization >= 0.9 or higher_tier_modules.modules is not null

)

select * from final
