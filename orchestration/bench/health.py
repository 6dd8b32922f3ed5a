"""Health engine cost: `bench_health(warehouse_path)` (called by `make bench`).

Measures, on an ingested warehouse: the full dbt build of the health graph (wall time and the dbt process's
peak memory), a one-day incremental build of the daily rollup (vars min_date = max_date = the last event
day) followed by the downstream health models, and, in the same run for scale, DuckDB's time for one bare
aggregate scan over raw.app_events.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.dbt_project import run_dbt


def _dbt(args: list[str], warehouse: Path, day: str | None = None) -> tuple[float, float]:
    """Run dbt in a child process; return (wall seconds, the child's peak RSS in MB)."""
    days = {"min_date": day, "max_date": day} if day else None
    run = run_dbt(args, warehouse=warehouse, extra_vars=days).check()
    return run.seconds, run.peak_rss_mb


def bench_health(warehouse_path: str | Path) -> dict:
    warehouse = Path(warehouse_path)
    # The whole project: every mart (health, lists, tags, completeness) and its tests, as `pulse run` does.
    full_seconds, full_peak_mb = _dbt(["build", "--full-refresh"], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        events, last_day = con.execute("select count(*), max(event_at)::date from raw.app_events").fetchone()
        started = time.monotonic()
        con.execute(
            "select account_id, count(*), sum(duration_seconds) from raw.app_events group by account_id"
        ).fetchall()
        scan_seconds = time.monotonic() - started
        account_days = con.execute("select count(*) from marts.fct_account_health_daily").fetchone()[0]
    finally:
        con.close()
    day = str(last_day)
    rollup_seconds, _ = _dbt(["run", "--select", "int_usage_daily"], warehouse, day)
    incremental_seconds, incremental_peak_mb = _dbt(["build", "--select", "int_usage_daily+"], warehouse, day)
    return {
        "events": events,
        "account_days": account_days,
        "full_build_seconds": round(full_seconds, 2),
        "full_build_peak_rss_mb": round(full_peak_mb, 1),
        "one_day_rollup_seconds": round(rollup_seconds, 2),
        "one_day_incremental_build_seconds": round(incremental_seconds, 2),
        "one_day_incremental_peak_rss_mb": round(incremental_peak_mb, 1),
        "bare_scan_seconds": round(scan_seconds, 3),
        "self_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(bench_health(sys.argv[1] if len(sys.argv) > 1 else settings.warehouse_path()), indent=2))
