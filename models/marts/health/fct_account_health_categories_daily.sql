-- Category ranks and scores per account and day (categories with nothing to evaluate are left out).

select
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(as_of_date as date) as as_of_date,
    cast(profile as {{ dbt.type_string() }}) as profile,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(category_rank as {{ dbt.type_string() }}) as category_rank,
    cast(category_score as {{ health_type_double() }}) as category_score,
    cast(category_weight as {{ health_type_double() }}) as category_weight

from {{ ref('int_health_categories_daily') }}
