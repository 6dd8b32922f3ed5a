-- One row per tier and module: of the tier's accounts that are not cancelled, how many used the module in the
-- 30 days ending on the as-of date (adoption rate), with the users and actions behind it.

with

as_of as (

    select max(as_of_date) as as_of_date from {{ ref('int_source_watermarks') }}

),

accounts as (

    select
        account_id,
        coalesce(tier, '(none)') as tier

    from {{ ref('int_accounts') }}

    where coalesce(status, '') != 'Cancelled'

),

tiers as (

    select
        tier,
        count(*) as tier_accounts

    from accounts

    group by tier

),

usage as (

    select
        accounts.tier,
        usage_daily.module,
        usage_daily.account_id,
        usage_daily.user_id,
        usage_daily.actions

    from {{ ref('int_usage_daily') }} as usage_daily

    cross join as_of

    inner join accounts
        on usage_daily.account_id = accounts.account_id

    where
        usage_daily.activity_date <= as_of.as_of_date
        and usage_daily.activity_date > {{ dbt.dateadd('day', -30, 'as_of.as_of_date') }}
        and usage_daily.actions > 0
        and usage_daily.module is not null

),

modules as (

    select distinct module from usage

),

final as (

    select
        tiers.tier,
        modules.module,
        cast(tiers.tier_accounts as bigint) as tier_accounts,
        cast(count(distinct usage.account_id) as bigint) as adopting_accounts,
        cast(count(distinct usage.account_id) as double) / tiers.tier_accounts as adoption_rate,
        cast(count(distinct usage.user_id) as bigint) as users_30d,
        cast(coalesce(sum(usage.actions), 0) as bigint) as actions_30d,
        max(as_of.as_of_date) as as_of_date

    from tiers

    cross join modules

    cross join as_of

    left join usage
        on
            tiers.tier = usage.tier
            and modules.module = usage.module

    group by tiers.tier, modules.module, tiers.tier_accounts

)

select * from final
