"""The brake on mass changes (issue 13): a build that moves most accounts at once is held until confirmed,
and nothing that acts on people or other systems acts on the held day.

The same two `pulse run`s also show what any run must do (they are the suite's costliest steps, so they are
shared): the run that lands the new day also lands an event 40 days late, which rebuilds that day's rollup and
no other; the run after it, with nothing new, changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.release import acting_asset
from tests.support.commands import BuiltWarehouse, pulse
from tests.support.landing import (
    land_account_export,
    land_late_event,
    land_usual_days,
    last_day,
    loaded_files_count,
    private_copy,
    snapshot,
)

# A stand-in for alerts, digests, tasks and the CRM sync: it records which day it acted on.
ACTED_ON: list[date] = []


@acting_asset(description="test: acts on the released day")
def notify_success_managers(context: dg.AssetExecutionContext, released_day: date) -> None:
    ACTED_ON.append(released_day)


def _act(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> date | None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    ACTED_ON.clear()
    result = dg.materialize([notify_success_managers])
    assert result.success
    return ACTED_ON[-1] if ACTED_ON else None


def test_a_mass_move_to_poor_is_held_until_confirmed(
    built_warehouse: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = private_copy(built_warehouse, tmp_path / "brake")
    as_of = last_day(copy.warehouse)
    assert _act(copy.env(), monkeypatch) == as_of

    # A bad CRM export marks 85% of the accounts At Risk on the next day.
    bad_day = as_of + timedelta(days=1)
    land_account_export(copy, bad_day, risk_share=0.85)
    land_usual_days(copy, [bad_day], "next-day")
    late = land_late_event(copy, days_back=40, message_id="late-event-0001")
    run = pulse("run", env=copy.env())
    # The late event's day is rebuilt with the new one, and no other day of its account changes.
    assert f"Building rollups for {late.day.isoformat()} .. {bad_day.isoformat()}" in run.stdout
    late.assert_only_its_day_changed(copy.warehouse, new_days=frozenset({bad_day}))

    con = duckdb.connect(str(copy.warehouse), read_only=True)
    held = con.execute(
        "select moved_share, summary from raw.release_events where event = 'held' and as_of_date = ?",
        [bad_day],
    ).fetchall()
    poor_share = con.execute(
        "select avg(case when health_rank = 'Poor' then 1.0 else 0 end) from marts.fct_account_health_daily "
        "where as_of_date = ? and health_rank <> 'Unknown'",
        [bad_day],
    ).fetchone()[0]
    con.close()
    assert poor_share > 0.6
    assert len(held) == 1 and held[0][0] > 0.3
    assert f"held: {bad_day}" in run.stdout
    for page in ("index.html", "data-quality.html"):
        html = (copy.site / page).read_text()
        assert f"Data of {bad_day} is held" in html, page

    # Nothing acts on the held day: acting assets still get the last released day.
    assert _act(copy.env(), monkeypatch) == as_of
    before, files_before = snapshot(copy.warehouse), loaded_files_count(copy.warehouse)
    rerun = pulse("run", env=copy.env())
    assert f"held: {bad_day}" in rerun.stdout
    # Nothing new landed: the rerun loads nothing and changes no raw table, rollup or mart.
    after = snapshot(copy.warehouse)
    assert [name for name in before if after[name] != before[name]] == []
    assert loaded_files_count(copy.warehouse) == files_before
    assert _act(copy.env(), monkeypatch) == as_of

    wrong = pulse("confirm", as_of.isoformat(), env=copy.env(), check=False)
    assert wrong.returncode == 1 and f"held days: {bad_day}" in wrong.stderr

    confirmed = pulse("confirm", bad_day.isoformat(), env=copy.env())
    assert f"{bad_day} confirmed" in confirmed.stdout
    assert _act(copy.env(), monkeypatch) == bad_day
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    events = con.execute("select event, actor from raw.release_events order by event_at").fetchall()
    con.close()
    assert events[-2:] == [("held", "build"), ("confirmed", "pulse confirm")]
