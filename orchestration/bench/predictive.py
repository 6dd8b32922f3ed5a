"""Predictive health cost: the activity metrics (their rollup and point-in-time model, rebuilt in full by dbt)
and the churn risk score (train, validate, score every account-day, write the marts), on a built warehouse."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from orchestration.dbt_project import run_dbt


def bench_predictive(warehouse_path: str | Path) -> dict:
    from orchestration.health.risk import build_risk_score

    warehouse = Path(warehouse_path)
    run = run_dbt(
        ["run", "--full-refresh", "--select", "int_activity_usage_daily int_account_activity_metrics_daily"],
        warehouse=warehouse,
    ).check()
    started = time.monotonic()
    risk = build_risk_score(warehouse)
    risk_seconds = time.monotonic() - started
    return {
        "activity_metrics_seconds": round(run.seconds, 2),
        "activity_metrics_peak_rss_mb": round(run.peak_rss_mb, 1),
        "risk_score_seconds": round(risk_seconds, 2),
        "risk_scored_rows": risk.scored_rows,
        "risk_auc": None if not risk.validation.get("auc") else round(risk.validation["auc"], 3),
        "risk_message": risk.message,
        "risk_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
