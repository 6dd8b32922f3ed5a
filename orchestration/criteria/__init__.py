"""Rules `(metric, operator, threshold)` over catalog metrics: validation (evaluation is the dbt macro criteria_evaluate)."""
