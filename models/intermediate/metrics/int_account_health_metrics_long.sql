-- The health metric catalog (_int_health_metrics__models.yml) unpivoted to long form for the list criteria.
{{ config(materialized='view') }}
-- depends_on: {{ ref('int_account_health_metrics_daily') }} (the catalog is read at run time only)

{{ metric_catalog_long('int_account_health_metrics_daily', ['account_id', 'as_of_date']) }}
