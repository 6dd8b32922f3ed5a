"""The Dagster code location loads and its graph has the shape the design promises."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import dagster as dg
import pytest

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


def test_schedule_and_sensor(defs: dg.Definitions) -> None:
    assert defs.resolve_schedule_def("daily_build_schedule").job_name == "daily_build"
    assert defs.resolve_sensor_def("landing_files_sensor") is not None


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
