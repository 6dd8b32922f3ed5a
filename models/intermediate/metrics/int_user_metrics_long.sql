-- The user metric catalog (_int_user_metrics__models.yml) unpivoted to long form for the list criteria.
{{ config(materialized='view') }}
-- depends_on: {{ ref('int_user_metrics_daily') }} (the catalog is read at run time only)

{{ metric_catalog_long('int_user_metrics_daily', ['account_id', 'user_id', 'as_of_date']) }}
