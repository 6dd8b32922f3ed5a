-- Category ranks and scores per account and day (categories with nothing to evaluate are left out).
{{ daily_incremental() }}

select
    account_id,
    as_of_date,
    profile,
    category,
    category_rank,
    category_score,
    category_weight

from {{ ref('int_health_categories_daily') }}

where {{ days_to_rebuild('as_of_date') }}
