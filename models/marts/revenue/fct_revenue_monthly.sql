-- One row per complete calendar month since the first paid subscription: logo churn, MRR movements, net and
-- gross revenue retention, new and paying accounts, trial conversion. Definitions in _revenue__models.yml.

with

account_months as (

    select * from {{ ref('int_account_mrr_monthly') }}

),

trials as (

    select * from {{ ref('int_account_trials') }}

),

monthly as (

    select
        month_start,
        month_end,
        sum(case when is_active_at_start then 1 else 0 end) as accounts_at_start,
        sum(case when movement = 'churn' then 1 else 0 end) as churned_accounts,
        sum(case when movement = 'new' then 1 else 0 end) as new_accounts,
        sum(case when movement = 'reactivation' then 1 else 0 end) as reactivated_accounts,
        sum(case when is_active_at_end then 1 else 0 end) as paying_accounts,
        sum(case when movement = 'expansion' then 1 else 0 end) as expanded_accounts,
        sum(case when movement = 'contraction' then 1 else 0 end) as contracted_accounts,
        sum(mrr_at_start) as mrr_at_start,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(mrr_at_end) as mrr_at_end

    from account_months

    group by month_start, month_end

),

trial_months as (

    select
        monthly.month_start,
        count(trials.subscription_version_id) as trials_ended,
        sum(case when trials.is_converted then 1 else 0 end) as trials_converted

    from monthly

    left join trials
        on
            monthly.month_start <= trials.trial_end_date
            and monthly.month_end > trials.trial_end_date

    group by monthly.month_start

),

final as (

    select
        monthly.month_start,
        monthly.month_end,
        cast(monthly.accounts_at_start as bigint) as accounts_at_start,
        cast(monthly.churned_accounts as bigint) as churned_accounts,
        cast(monthly.churned_accounts as double) / nullif(monthly.accounts_at_start, 0) as logo_churn_rate,
        cast(monthly.new_accounts as bigint) as new_accounts,
        cast(monthly.reactivated_accounts as bigint) as reactivated_accounts,
        cast(monthly.paying_accounts as bigint) as paying_accounts,
        cast(monthly.expanded_accounts as bigint) as expanded_accounts,
        cast(monthly.contracted_accounts as bigint) as contracted_accounts,
        cast(monthly.mrr_at_start as double) as mrr_at_start,
        cast(monthly.new_mrr as double) as new_mrr,
        cast(monthly.reactivation_mrr as double) as reactivation_mrr,
        cast(monthly.expansion_mrr as double) as expansion_mrr,
        cast(monthly.contraction_mrr as double) as contraction_mrr,
        cast(monthly.churned_mrr as double) as churned_mrr,
        cast(monthly.mrr_at_end as double) as mrr_at_end,
        cast(monthly.churned_mrr as double) / nullif(monthly.mrr_at_start, 0) as mrr_churn_rate,
        cast(monthly.mrr_at_start + monthly.expansion_mrr - monthly.contraction_mrr - monthly.churned_mrr as double)
        / nullif(monthly.mrr_at_start, 0) as net_revenue_retention,
        cast(monthly.mrr_at_start - monthly.contraction_mrr - monthly.churned_mrr as double)
        / nullif(monthly.mrr_at_start, 0) as gross_revenue_retention,
        cast(coalesce(trial_months.trials_ended, 0) as bigint) as trials_ended,
        cast(coalesce(trial_months.trials_converted, 0) as bigint) as trials_converted,
        cast(trial_months.trials_converted as double) / nullif(trial_months.trials_ended, 0)
            as trial_conversion_rate

    from monthly

    left join trial_months
        on monthly.month_start = trial_months.month_start

)

select * from final
