"""Health engine cost: `bench_health(warehouse_path)` (called by `make bench`).

Measures, on an ingested warehouse: the full dbt build of the whole project as `pulse run` builds it (dbt's
unit tests excluded; wall time and the dbt process's peak memory), a one-day build as a daily run does it
(the event rollups for the last event day, PULSE_MIN_DATE = PULSE_MAX_DATE, then every other model and data
test with the rebuild plan of orchestration/rebuild.py set to that day, so the daily models replace that day
only), and, in the same run for scale, DuckDB's time for one bare aggregate scan over raw.app_events. The
work-process models (list membership, lifecycle status, tasks) are measured twice: their share of the full
build (each model's time in dbt's run_results.json, summed per area) and a rebuild of those models alone
(`dbt run` of the areas: wall time and the dbt process's peak memory).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.dbt_project import EVENT_ROLLUPS_SELECT, rollup_days_env, run_dbt

# The work process (issue 8): smart lists, lifecycle status and tasks, by their model folders.
WORK_PROCESS_AREAS = ("lists", "lifecycle", "tasks")


# As `pulse run` builds (orchestration/defs/dbt.py): dbt's unit tests belong to `make test`.
BUILD = ["build", "--exclude-resource-type", "unit_test"]


def _dbt(
    args: list[str], warehouse: Path, day: str | None = None, target: Path | None = None
) -> tuple[float, float]:
    """Run dbt in a child process; return (wall seconds, the child's peak RSS in MB)."""
    days = rollup_days_env(day, day) if day else None
    run = run_dbt(args, warehouse=warehouse, extra_env=days, target_path=target).check()
    return run.seconds, run.peak_rss_mb


def _downstream_target(warehouse: Path) -> Path:
    """The target folder of the full build and of the one-day build's second step (shared: partial parse)."""
    return settings.dbt_target_dir(warehouse) / "bench_downstream"


def _one_day_build(warehouse: Path, day: str) -> tuple[float, float, float]:
    """The daily run's two dbt steps for one day: (rollup seconds, total seconds, peak RSS MB).

    Each step keeps its own target folder, as `pulse run` does, so dbt's partial parse is the one a daily
    run has (the rollup step's day changes daily, re-parsing the two rollups; the downstream step's never do).
    """
    from orchestration.rebuild import RebuildPlan, clear_plan, write_plan

    rollups_target = settings.dbt_target_dir(warehouse) / "bench_rollups"
    rollup_seconds, rollup_peak_mb = _dbt(
        [*BUILD, "--select", EVENT_ROLLUPS_SELECT], warehouse, day, target=rollups_target
    )
    con = duckdb.connect(str(warehouse))
    write_plan(con, RebuildPlan("incremental", date.fromisoformat(day), "bench: one day", None, ""))
    con.close()
    try:
        downstream_seconds, downstream_peak_mb = _dbt(
            [*BUILD, "--exclude", EVENT_ROLLUPS_SELECT], warehouse, target=_downstream_target(warehouse)
        )
    finally:
        con = duckdb.connect(str(warehouse))
        clear_plan(con)
        con.close()
    return rollup_seconds, rollup_seconds + downstream_seconds, max(rollup_peak_mb, downstream_peak_mb)


def _area_timings(target: Path) -> dict[str, dict]:
    """Per work-process area: the models' summed execution time in the last dbt run and their count."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    areas = {area: {"model_seconds": 0.0, "models": 0} for area in WORK_PROCESS_AREAS}
    for result in results:
        fqn = nodes.get(result["unique_id"], {}).get("fqn", [])
        if result["unique_id"].startswith("model.") and len(fqn) > 3 and fqn[2] in areas:
            areas[fqn[2]]["model_seconds"] += result.get("execution_time") or 0.0
            areas[fqn[2]]["models"] += 1
    return {
        area: {**values, "model_seconds": round(values["model_seconds"], 2)} for area, values in areas.items()
    }


def bench_health(warehouse_path: str | Path) -> dict:
    warehouse = Path(warehouse_path)
    # The whole project: every mart (health, lists, tags, completeness) and its tests, as `pulse run` does.
    target = _downstream_target(warehouse)
    full_seconds, full_peak_mb = _dbt([*BUILD, "--full-refresh"], warehouse, target=target)
    areas = _area_timings(target)
    folders = [f"{layer}.{area}" for area in WORK_PROCESS_AREAS for layer in ("intermediate", "marts")]
    work_seconds, work_peak_mb = _dbt(["run", "--select", *folders], warehouse, target=target)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        events, last_day = con.execute("select count(*), max(event_at)::date from raw.app_events").fetchone()
        started = time.monotonic()
        con.execute(
            "select account_id, count(*), sum(duration_seconds) from raw.app_events group by account_id"
        ).fetchall()
        scan_seconds = time.monotonic() - started
        account_days = con.execute("select count(*) from marts.fct_account_health_daily").fetchone()[0]
        work_rows = con.execute(
            "select (select count(*) from marts.fct_list_membership_daily),"
            " (select count(*) from marts.fct_lifecycle_status_daily), (select count(*) from marts.fct_tasks)"
        ).fetchone()
    finally:
        con.close()
    day = str(last_day)
    rollup_seconds, incremental_seconds, incremental_peak_mb = _one_day_build(warehouse, day)
    return {
        "events": events,
        "account_days": account_days,
        "full_build_seconds": round(full_seconds, 2),
        "full_build_peak_rss_mb": round(full_peak_mb, 1),
        "one_day_rollup_seconds": round(rollup_seconds, 2),
        "one_day_incremental_build_seconds": round(incremental_seconds, 2),
        "one_day_incremental_peak_rss_mb": round(incremental_peak_mb, 1),
        "bare_scan_seconds": round(scan_seconds, 3),
        "work_process": {
            "areas": areas,
            "rows": dict(zip(("list_memberships", "lifecycle_statuses", "tasks"), work_rows, strict=True)),
            "rebuild_seconds": round(work_seconds, 2),
            "rebuild_peak_rss_mb": round(work_peak_mb, 1),
        },
        "self_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(bench_health(sys.argv[1] if len(sys.argv) > 1 else settings.warehouse_path()), indent=2))
