-- The population health score stays within 0-100 and its counts add up.
select *
from {{ ref('fct_population_health_daily') }}
where
    population_health_score < 0
    or population_health_score > 100
    or good_accounts + average_accounts + poor_accounts + unknown_accounts <> accounts
