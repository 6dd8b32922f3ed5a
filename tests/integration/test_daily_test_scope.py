"""Generic data tests of a daily model read the days the build rebuilt (dbt_project/macros/rebuild_days.sql).

A one-day build tests one day, not a year: the days before were tested by the build that wrote them. Shown on
a copy of the session's built warehouse with a duplicate planted on its first day: a build whose plan
rebuilds from the last day does not read it; without a plan (a full build) the unique test finds it.
(Singular tests, e.g. tests/health_one_row_per_account_day_since_creation.sql, read whole tables always.)
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from orchestration.dbt_project import run_dbt
from orchestration.rebuild import RebuildPlan, clear_plan, write_plan
from tests.support.commands import BuiltWarehouse


def _test_health_mart(warehouse: Path, tmp_path: Path) -> tuple[bool, str]:
    run = run_dbt(
        ["test", "--select", "fct_account_health_daily,test_type:generic"],
        warehouse=warehouse,
        target_path=tmp_path / "target",
        log_dir=tmp_path / "logs",
    )
    return run.ok, run.output


def test_a_daily_models_tests_read_only_the_rebuilt_days(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        first, last = con.execute(
            "select min(as_of_date), max(as_of_date) from marts.fct_account_health_daily"
        ).fetchone()
        con.execute(
            "insert into marts.fct_account_health_daily "
            "select * from marts.fct_account_health_daily where as_of_date = ? limit 1",
            [first],
        )
        write_plan(con, RebuildPlan("incremental", last, "test: the last day", None, ""))
    finally:
        con.close()
    assert isinstance(last, date) and first < last

    ok, output = _test_health_mart(warehouse, tmp_path)
    assert ok, output  # the duplicate is on a day this build did not rebuild

    con = duckdb.connect(str(warehouse))
    try:
        clear_plan(con)
    finally:
        con.close()
    ok, output = _test_health_mart(warehouse, tmp_path)
    assert not ok
    assert "unique_fct_account_health_daily" in output
