-- Every month's MRR bridge closes: start + new + reactivation + expansion - contraction - churned = end, and the
-- accounts likewise (start - churned + new + reactivated = end). Rows returned are failures.
select
    month_start,
    mrr_at_start,
    mrr_at_end,
    accounts_at_start,
    paying_accounts

from {{ ref('fct_revenue_monthly') }}

where
    abs(mrr_at_start + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr - mrr_at_end)
    >= 0.01
    or accounts_at_start - churned_accounts + new_accounts + reactivated_accounts != paying_accounts
