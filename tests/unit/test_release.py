"""The brake on mass rank changes: holds, confirmations, releases, and the gate of acting assets."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.release import (
    BrakeSettings,
    HoldError,
    confirm_day,
    evaluate_brake,
    held_days,
    released_as_of,
)

DAY = date(2026, 11, 1)
SETTINGS = BrakeSettings(max_moved_share=0.3, min_accounts=5)


def _warehouse(path: Path, ranks_by_day: dict[date, list[str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(
        "create table if not exists marts.fct_account_health_daily "
        "(account_id varchar, as_of_date date, health_rank varchar)"
    )
    for day, ranks in ranks_by_day.items():
        con.executemany(
            "insert into marts.fct_account_health_daily values (?, ?, ?)",
            [(f"a{i}", day, rank) for i, rank in enumerate(ranks)],
        )
    return con


def test_first_build_is_released_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "w.duckdb", {DAY: ["Good"] * 10})
    decision = evaluate_brake(con, SETTINGS)
    assert decision is not None and decision.event == "released"
    assert released_as_of(con) == DAY
    assert evaluate_brake(con, SETTINGS) is None
    assert con.execute("select count(*) from raw.release_events").fetchone()[0] == 1


def test_mass_move_is_held_until_confirmed(tmp_path: Path) -> None:
    next_day = DAY + timedelta(days=1)
    con = _warehouse(tmp_path / "w.duckdb", {DAY: ["Good"] * 10})
    evaluate_brake(con, SETTINGS)
    # The next build brings a day where 8 of 10 accounts fell to Poor.
    con.executemany(
        "insert into marts.fct_account_health_daily values (?, ?, ?)",
        [(f"a{i}", next_day, rank) for i, rank in enumerate(["Poor"] * 8 + ["Good", "Unknown"])],
    )
    decision = evaluate_brake(con, SETTINGS)
    assert decision is not None and decision.event == "held"
    # 9 accounts ranked on both days (a9 is Unknown today), 8 moved Good -> Poor.
    assert (decision.ranked_accounts, decision.moved_accounts) == (9, 8)
    assert "8 of 9 ranked accounts (89%)" in decision.summary and "8 Good -> Poor" in decision.summary
    assert released_as_of(con) == DAY
    assert [day for day, _ in held_days(con)] == [next_day]
    # A re-run keeps the hold and records it once.
    assert evaluate_brake(con, SETTINGS).event == "held"
    assert con.execute("select count(*) from raw.release_events where event = 'held'").fetchone()[0] == 1

    with pytest.raises(HoldError, match=f"held days: {next_day}"):
        confirm_day(con, DAY)
    confirm_day(con, next_day, note="the CRM export really says so")
    assert released_as_of(con) == next_day
    assert held_days(con) == []


def test_a_calmer_build_releases_the_held_day(tmp_path: Path) -> None:
    day2, day3 = DAY + timedelta(days=1), DAY + timedelta(days=2)
    con = _warehouse(tmp_path / "w.duckdb", {DAY: ["Good"] * 10})
    evaluate_brake(con, SETTINGS)
    con.executemany(
        "insert into marts.fct_account_health_daily values (?, ?, ?)",
        [(f"a{i}", day2, "Poor") for i in range(10)],
    )
    assert evaluate_brake(con, SETTINGS).event == "held"
    # The next build's newest day looks like the last released day again: released, the hold superseded.
    con.executemany(
        "insert into marts.fct_account_health_daily values (?, ?, ?)",
        [(f"a{i}", day3, "Poor" if i == 0 else "Good") for i in range(10)],
    )
    decision = evaluate_brake(con, SETTINGS)
    assert decision.event == "released" and decision.compared_with == DAY
    assert released_as_of(con) == day3
    assert held_days(con) == []
    events = con.execute("select as_of_date, event from raw.release_events order by event_at").fetchall()
    assert events == [(DAY, "released"), (day2, "held"), (day2, "superseded"), (day3, "released")]


def test_few_accounts_never_trip_the_brake(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "w.duckdb", {DAY: ["Good"] * 4})
    evaluate_brake(con, SETTINGS)
    con.executemany(
        "insert into marts.fct_account_health_daily values (?, ?, ?)",
        [(f"a{i}", DAY + timedelta(days=1), "Poor") for i in range(4)],
    )
    assert evaluate_brake(con, SETTINGS).event == "released"
