"""The whole graph on small generated data: what `pulse run` prints, re-runs, partitions and late events."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.support.commands import BuiltWarehouse, pulse
from tests.support.landing import land_late_event, private_copy, table_rows


def test_run_prints_what_was_loaded_and_where_the_reports_are(built_warehouse: BuiltWarehouse) -> None:
    log = (built_warehouse.root / "run.log").read_text()
    assert "Loaded per source" in log
    assert "app_events" in log and "crm" in log and "helpdesk" in log
    assert f"Warehouse: {built_warehouse.warehouse}" in log
    assert f"Reports: {built_warehouse.site / 'index.html'}" in log
    assert (built_warehouse.site / "index.html").exists()
    assert (built_warehouse.site / "pdf" / "health.pdf").exists()
    # One line per step, not dbt's own log (that goes to var/logs/dbt.log).
    assert "dbt_models" in log and "ok" in log
    assert not [line for line in log.splitlines() if any(mark in line for mark in DBT_LOG_MARKS)]


# Lines dbt prints on its console in every build.
DBT_LOG_MARKS = (
    "Running with dbt=",
    "Concurrency:",
    "Finished running",
    "Completed successfully",
    "OK created ",
)


def test_a_failing_dbt_node_is_named_with_dbt_s_log(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    """A failing dbt test: `pulse run` names the node, its file and dbt's message, and where dbt's log is."""
    copy = private_copy(built_warehouse, tmp_path)
    con = duckdb.connect(str(copy.warehouse))
    con.execute("insert into raw.app_events select * from raw.app_events where event_type = 'track' limit 1")
    con.close()
    logs = tmp_path / "logs"
    env = {**copy.env(), "PULSE_LOG_DIR": str(logs)}

    completed = pulse("run", env=env, check=False)
    assert completed.returncode == 1
    out = completed.stdout
    assert "dbt_daily_rollups" in out and "FAILED" in out
    node = "test unique_stg_app__events_event_id (models/staging/app/_app__models.yml): Got 1 result"
    assert node in out
    assert f"dbt's log: {logs / 'dbt.log'}" in out
    assert "unique_stg_app__events_event_id" in (logs / "dbt.log").read_text()
    assert not [line for line in out.splitlines() if any(mark in line for mark in DBT_LOG_MARKS)]
    assert "Traceback" not in completed.stderr and "Stack Trace" not in completed.stderr

    verbose = pulse("run", "--verbose", env=env, check=False)
    assert verbose.returncode == 1
    assert "Running with dbt=" in verbose.stdout and node in verbose.stdout


def test_a_partition_materialized_twice_gives_the_same_rollups(
    built_warehouse: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = private_copy(built_warehouse, tmp_path)
    for key, value in copy.env().items():
        monkeypatch.setenv(key, value)
    import dagster as dg

    from orchestration.definitions import defs

    con = duckdb.connect(str(copy.warehouse), read_only=True)
    day = con.execute("select max(activity_date) - 3 from intermediate.int_usage_daily").fetchone()[0]
    before = table_rows(con, "intermediate.int_usage_daily")
    con.close()

    job = defs.resolve_job_def("daily_build")
    rollups = dg.AssetKey(["intermediate", "int_usage_daily"])
    for _ in range(2):
        result = job.execute_in_process(
            partition_key=day.isoformat(), asset_selection=[rollups], instance=dg.DagsterInstance.ephemeral()
        )
        assert result.success
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    assert table_rows(con, "intermediate.int_usage_daily") == before
    con.close()


def test_check_results_reach_the_data_quality_page(built_warehouse: BuiltWarehouse) -> None:
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    kinds = dict(con.execute("select check_type, count(*) from raw.check_results group by 1").fetchall())
    assets = {row[0] for row in con.execute("select distinct asset from raw.check_results").fetchall()}
    con.close()
    assert kinds.get("great_expectations", 0) >= 10  # two per raw table
    assert kinds.get("dbt_test", 0) > 50  # generic and singular data tests (unit tests run in `make test`)
    assert {"raw/app_events", "staging/stg_app__events", "marts/fct_account_health_daily"} <= assets
    html = (built_warehouse.site / "data-quality.html").read_text()
    assert "ge_reject_rate" in html and "dbt_test" in html


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "health_criteria.csv",
            ",days_since_last_activity,",
            ",days_since_last_login,",
            "days_since_last_login",
        ),
        (
            "list_criteria.csv",
            ",license_utilization,",
            ",license_utilisation,",
            "metric 'license_utilisation'",
        ),
    ],
)
def test_a_bad_health_or_list_configuration_stops_the_build_before_any_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str, expected: str
) -> None:
    import dagster as dg

    from orchestration import settings, warehouse
    from orchestration.definitions import defs

    project = tmp_path / "project"
    shutil.copytree(settings.seeds_dir(), project / "seeds")
    criteria = project / "seeds" / file
    text = criteria.read_text()
    line = text[: text.index(old)].count("\n") + 1
    criteria.write_text(text.replace(old, new, 1))
    monkeypatch.setattr(settings, "PROJECT_ROOT", project)
    empty = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("PULSE_WAREHOUSE", str(empty))
    con = warehouse.connect(empty)
    warehouse.ensure_raw_schema(con)
    con.close()

    job = defs.resolve_job_def("daily_build")
    result = job.execute_in_process(
        partition_key="2026-11-01",
        asset_selection=[key for key in job.asset_layer.executable_asset_keys if key.path[0] != "raw"],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failures = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    message = str(failures[0].event_specific_data.error)
    assert f"{file}:{line}: " in message and expected in message
    con = warehouse.connect(empty, read_only=True)
    built = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts')"
    ).fetchone()[0]
    con.close()
    assert built == 0


def test_a_late_event_reaches_its_day_through_the_daily_partition(
    built_warehouse: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schedule's run for yesterday also rebuilds the old day a late event landed in."""
    copy = private_copy(built_warehouse, tmp_path)
    for key, value in copy.env().items():
        monkeypatch.setenv(key, value)
    import dagster as dg

    from orchestration.definitions import defs

    late = land_late_event(copy, days_back=60, message_id="late-event-0002")
    job = defs.resolve_job_def("daily_build")
    # The path the scheduled job takes: ingestion, the staging view, then the day's rollup.
    selection = [
        dg.AssetKey(["raw", "app_events"]),
        dg.AssetKey(["staging", "stg_app__events"]),
        dg.AssetKey(["intermediate", "int_usage_daily"]),
    ]
    result = job.execute_in_process(
        partition_key=late.as_of.isoformat(),
        asset_selection=selection,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    late.assert_only_its_day_changed(copy.warehouse)
