"""What a build's daily models rebuild (orchestration/rebuild.py): each rule of the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.rebuild import RebuildPlan, clear_plan, plan_rebuild, write_plan
from orchestration.warehouse import ensure_raw_schema

LAST_BUILD_SAW = datetime(2026, 11, 2, 6, 0)
AS_OF = date(2026, 11, 1)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(connection)
    _event(connection, "m-old", datetime(2026, 10, 31, 12), LAST_BUILD_SAW)
    yield connection
    connection.close()


def _event(con: duckdb.DuckDBPyConnection, message_id: str, at: datetime, loaded: datetime) -> None:
    con.execute(
        "insert into raw.app_events (message_id, event_type, account_id, event_at, _source, _file_id, _line,"
        " _loaded_at) values (?, 'track', 'A1', ?, 'app_events', 'f', 1, ?)",
        [message_id, at, loaded],
    )


def _built(con: duckdb.DuckDBPyConnection, project_hash: str = "same") -> None:
    con.execute(
        "insert into raw.model_builds values (?, 'full', null, ?, ?, ?, 'test')",
        [LAST_BUILD_SAW, LAST_BUILD_SAW, project_hash, AS_OF],
    )


def test_the_first_build_is_full(con: duckdb.DuckDBPyConnection) -> None:
    plan = plan_rebuild(con, hashed="same")
    assert (plan.mode, plan.reason, plan.dbt_args) == ("full", "no earlier build", ["--full-refresh"])
    assert plan.loaded_through == LAST_BUILD_SAW


def test_a_changed_project_is_a_full_build(con: duckdb.DuckDBPyConnection) -> None:
    _built(con, project_hash="before")
    plan = plan_rebuild(con, hashed="after")
    assert (plan.mode, plan.reason) == ("full", "models, seeds or macros changed since the last build")


def test_a_new_export_row_is_a_full_build(con: duckdb.DuckDBPyConnection) -> None:
    _built(con)
    con.execute(
        "insert into raw.crm_accounts (sf_id, last_modified_at, _source, _file_id, _line, _loaded_at)"
        " values ('001', ?, 'crm', 'f', 1, ?)",
        [datetime(2026, 11, 2), datetime(2026, 11, 3)],
    )
    plan = plan_rebuild(con, hashed="same")
    assert (plan.mode, plan.reason) == ("full", "new rows in raw.crm_accounts, which can change any day")


def test_late_events_rebuild_from_their_earliest_day(con: duckdb.DuckDBPyConnection) -> None:
    _built(con)
    _event(con, "m-late", datetime(2026, 10, 3, 9), datetime(2026, 11, 3))
    _event(con, "m-new", datetime(2026, 11, 2, 9), datetime(2026, 11, 3))
    plan = plan_rebuild(con, hashed="same")
    assert (plan.mode, plan.rebuild_from, plan.dbt_args) == ("incremental", date(2026, 10, 3), [])
    assert plan.reason == "events loaded since the last build reach back to 2026-10-03"


def test_new_days_only_rebuild_from_the_day_after_the_as_of_date(con: duckdb.DuckDBPyConnection) -> None:
    _built(con)
    _event(con, "m-next", datetime(2026, 11, 5, 9), datetime(2026, 11, 6))
    assert plan_rebuild(con, hashed="same").rebuild_from == date(2026, 11, 2)
    # Nothing new at all: the same, so nothing is rebuilt.
    con.execute("delete from raw.app_events where message_id = 'm-next'")
    plan = plan_rebuild(con, hashed="same")
    assert (plan.mode, plan.rebuild_from, plan.reason) == (
        "incremental",
        date(2026, 11, 2),
        "the days after 2026-11-01",
    )


def test_the_plan_row_exists_only_for_an_incremental_build(con: duckdb.DuckDBPyConnection) -> None:
    write_plan(con, RebuildPlan("incremental", date(2026, 10, 3), "late events", None, "same"))
    assert con.execute("select rebuild_from from raw.rebuild_plan").fetchall() == [(date(2026, 10, 3),)]
    write_plan(con, RebuildPlan("full", None, "no earlier build", None, "same"))
    assert con.execute("select count(*) from raw.rebuild_plan").fetchone()[0] == 0
    write_plan(con, RebuildPlan("incremental", date(2026, 10, 3), "late events", None, "same"))
    clear_plan(con)
    assert con.execute("select count(*) from raw.rebuild_plan").fetchone()[0] == 0
