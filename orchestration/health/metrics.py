"""The metrics a health profile may name: the metric columns of intermediate.int_account_metrics_daily.

Kept in step with the dbt macro health_metric_catalog() (dbt_project/macros/health_metrics.sql);
tests/test_health_config.py asserts both match the built model.
"""

from __future__ import annotations

NUMBER = "number"
TEXT = "text"

METRICS: dict[str, str] = {
    "account_age_days": NUMBER,
    "active_days_7d": NUMBER,
    "active_days_14d": NUMBER,
    "active_days_30d": NUMBER,
    "active_users_7d": NUMBER,
    "active_users_14d": NUMBER,
    "active_users_30d": NUMBER,
    "actions_per_day_14d": NUMBER,
    "minutes_per_week": NUMBER,
    "licenses": NUMBER,
    "license_utilization": NUMBER,
    "key_modules_used": NUMBER,
    "open_tickets": NUMBER,
    "tickets_30d": NUMBER,
    "days_since_last_touch": NUMBER,
    "days_since_last_activity": NUMBER,
    "days_in_journey_stage": NUMBER,
    "days_to_renewal": NUMBER,
    "contract_value": NUMBER,
    "engagement_score": NUMBER,
    "change_in_actions_14d": NUMBER,
    "change_in_active_users_14d": NUMBER,
    "change_in_minutes_14d": NUMBER,
    "status": TEXT,
    "tier": TEXT,
    "company_size": TEXT,
    "industry": TEXT,
    "success_manager": TEXT,
    "journey_stage": TEXT,
    "onboarding_program": TEXT,
    "project_status": TEXT,
    "risk_status": TEXT,
    "csm_sentiment": TEXT,
    "usage_frequency": TEXT,
}

NUMBER_OPERATORS = ("<", "<=", ">", ">=", "=", "!=", "between")
TEXT_OPERATORS = ("=", "!=", "in", "not_in")
NULL_OPERATORS = ("is_null", "is_not_null")
CHANGE_OPERATORS = ("change_in_lt", "change_in_gt")
OPERATORS = tuple(dict.fromkeys(NUMBER_OPERATORS + TEXT_OPERATORS + NULL_OPERATORS + CHANGE_OPERATORS))


def operators_for(metric: str) -> tuple[str, ...]:
    """Operators allowed on a metric: by kind, null checks on any, change_in_* only on change_in_ metrics."""
    kind = METRICS[metric]
    allowed = NUMBER_OPERATORS if kind == NUMBER else TEXT_OPERATORS
    if metric.startswith("change_in_"):
        allowed = allowed + CHANGE_OPERATORS
    return allowed + NULL_OPERATORS
