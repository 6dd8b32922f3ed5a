-- One row per start cohort (the month of an account's first paid subscription) and month since the start:
-- how many of the cohort's accounts are active at the end of that month and their MRR, against the cohort's
-- size and its MRR at the end of its first month. The table behind a retention curve or heatmap.

with

account_months as (

    select * from {{ ref('int_account_mrr_monthly') }}

),

months as (

    select distinct month_start from account_months

),

cohorts as (

    select
        account_id,
        cast({{ dbt.date_trunc('month', 'first_paid_date') }} as date) as cohort_month

    from account_months

    group by account_id, first_paid_date

),

cohort_sizes as (

    select
        cohorts.cohort_month,
        count(*) as cohort_accounts,
        sum(coalesce(first_month.mrr_at_end, 0)) as cohort_mrr

    from cohorts

    left join account_months as first_month
        on
            cohorts.account_id = first_month.account_id
            and cohorts.cohort_month = first_month.month_start

    group by cohorts.cohort_month

),

grid as (

    select
        cohort_sizes.cohort_month,
        months.month_start,
        cohort_sizes.cohort_accounts,
        cohort_sizes.cohort_mrr

    from cohort_sizes

    inner join months
        on cohort_sizes.cohort_month <= months.month_start

),

final as (

    select
        grid.cohort_month,
        {{ dbt.datediff('grid.cohort_month', 'grid.month_start', 'month') | trim }} as months_since_start,
        grid.month_start,
        cast(grid.cohort_accounts as bigint) as cohort_accounts,
        cast(count(retained.account_id) as bigint) as retained_accounts,
        cast(count(retained.account_id) as double) / grid.cohort_accounts as retention_rate,
        cast(grid.cohort_mrr as double) as cohort_mrr,
        cast(coalesce(sum(retained.mrr_at_end), 0) as double) as retained_mrr,
        cast(coalesce(sum(retained.mrr_at_end), 0) as double) / nullif(grid.cohort_mrr, 0)
            as revenue_retention_rate

    from grid

    left join cohorts
        on grid.cohort_month = cohorts.cohort_month

    left join account_months as retained
        on
            cohorts.account_id = retained.account_id
            and grid.month_start = retained.month_start
            and retained.is_active_at_end

    group by grid.cohort_month, grid.month_start, grid.cohort_accounts, grid.cohort_mrr

)

select * from final
