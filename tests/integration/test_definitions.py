"""The Dagster code location loads and its graph has the shape the design promises."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import dagster as dg
import pytest

from orchestration.ingest import ingest
from orchestration.warehouse import RAW_TABLES

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def _asset_keys(defs: dg.Definitions) -> set[tuple[str, ...]]:
    return {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_every_layer_is_an_asset(defs: dg.Definitions) -> None:
    keys = _asset_keys(defs)
    for table in ("app_events", "helpdesk_tickets", "crm_accounts", "crm_contacts", "crm_activities"):
        assert ("raw", table) in keys
    assert ("staging", "stg_app__events") in keys
    assert ("intermediate", "int_usage_daily") in keys
    assert ("marts", "fct_account_health_daily") in keys
    assert ("marts", "dim_accounts") in keys


def test_staging_reads_the_ingestion_assets(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_app__events"])).parent_keys
    assert dg.AssetKey(["raw", "app_events"]) in parents


def test_dbt_tests_and_quality_checks_are_asset_checks(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    checks = graph.asset_check_keys
    checked_assets = {tuple(check.asset_key.path) for check in checks}
    # dbt tests on staging models, Great Expectations on raw tables
    assert any(path[0] == "staging" for path in checked_assets)
    assert ("raw", "app_events") in checked_assets
    assert ("marts", "fct_account_health_daily") in checked_assets


def test_rollups_are_daily_partitioned(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    partitions = graph.get(dg.AssetKey(["intermediate", "int_usage_daily"])).partitions_def
    assert isinstance(partitions, dg.DailyPartitionsDefinition)
    assert graph.get(dg.AssetKey(["marts", "dim_accounts"])).partitions_def is None


def test_schedule_and_sensor(defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daily schedule builds everything at 05:30 UTC; the landing sensor (as the code location serves it)
    starts the ingestion assets when a file lands and skips when nothing changed."""
    schedule = defs.resolve_schedule_def("daily_build_schedule")
    assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (
        "daily_build",
        "30 5 * * *",
        "UTC",
    )
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    graph = defs.resolve_asset_graph()
    assert defs.resolve_job_def("daily_build").asset_layer.selected_asset_keys == graph.get_all_asset_keys()

    sensor = defs.resolve_sensor_def("landing_files_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    raw = {dg.AssetKey(["raw", table]) for table in RAW_TABLES}
    assert defs.resolve_job_def(sensor.job_name).asset_layer.selected_asset_keys == raw

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("PULSE_LANDING", str(landing))
    monkeypatch.setenv("PULSE_WAREHOUSE", str(warehouse))
    (landing / "app_events").mkdir(parents=True)
    with dg.instance_for_test() as instance:

        def tick(cursor: str | None) -> tuple[list[dg.RunRequest], str | None, str | None]:
            with dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs) as context:
                data = sensor.evaluate_tick(context)
            return list(data.run_requests or []), data.cursor, data.skip_message

        requests, cursor, skipped = tick(None)
        assert requests == [] and skipped is not None and "no new files" in skipped
        (landing / "app_events" / "segment-2026-03-05.jsonl").write_text(
            '{"type":"track","messageId":"n-1","timestamp":"2026-03-05T10:00:00Z","userId":"U1",'
            '"event":"Login","context":{"groupId":"A1"}}\n'
        )
        requests, cursor, skipped = tick(cursor)
        assert len(requests) == 1 and skipped is None
        assert requests[0].tags["pulse/new_files"] == "1"
        ingest(landing, warehouse)  # loaded (as the requested run would): the next tick has nothing to do
        requests, cursor, skipped = tick(cursor)
        assert requests == [] and skipped == "changed files are already loaded"
        requests, cursor, skipped = tick(cursor)
        assert requests == [] and skipped is not None and "no new files among 1 landing files" in skipped


def test_the_daily_schedule_rolls_up_yesterday(defs: dg.Definitions) -> None:
    from datetime import datetime

    schedule = defs.resolve_schedule_def("daily_build_schedule")
    tick = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = list(schedule.evaluate_tick(context).run_requests or [])
    assert [request.partition_key for request in requests] == ["2026-11-24"]


def test_the_code_location_loads_without_dbt_on_path() -> None:
    """`.venv/bin/dagster dev` without activating the environment: dbt is found beside Python."""
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    code = "import orchestration.definitions as d; print(d.defs.resources['dbt'].dbt_executable)"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip() == str(Path(sys.executable).parent / "dbt")


def test_the_churn_risk_score_runs_after_the_dbt_build_and_before_the_site(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    risk = dg.AssetKey(["marts", "fct_account_churn_risk_daily"])
    assert dg.AssetKey(["intermediate", "int_account_metrics_daily"]) in graph.get(risk).parent_keys
    assert dg.AssetKey(["marts", "fct_account_health_daily"]) in graph.get(risk).parent_keys
    assert risk in graph.get(dg.AssetKey("report_site")).parent_keys
    # The CRM payload carries the score: it is built after it, in its own dbt step.
    assert risk in graph.get(dg.AssetKey(["marts", "crm_account_sync"])).parent_keys
