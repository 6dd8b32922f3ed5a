"""Issue 12 item 2: a build after late events rebuilds only the days that changed, and gives exactly the rows
of a full refresh."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb

from orchestration.bench.compare import compare
from orchestration.dbt_project import run_dbt
from tests.support.commands import BuiltWarehouse, pulse
from tests.support.landing import land_late_event, land_usual_days, last_day, private_copy


def _builds(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select mode, rebuild_from, as_of_date from raw.model_builds order by finished_at"
        ).fetchall()
    finally:
        con.close()


def test_late_events_rebuild_their_days_and_match_a_full_refresh(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    copy = private_copy(built_warehouse, tmp_path / "incremental")
    as_of = last_day(copy.warehouse)
    # Two late events weeks apart and the next usual day: app events only, so the build is incremental.
    late = land_late_event(copy, days_back=30, message_id="late-incremental-0001")
    land_late_event(copy, days_back=9, message_id="late-incremental-0002")
    next_day = as_of + timedelta(days=1)
    land_usual_days(copy, [next_day], "incremental-next-day")

    run = pulse("run", env=copy.env())
    assert f"daily models: from {late.day}" in run.stdout
    mode, rebuild_from, built_as_of = _builds(copy.warehouse)[-1]
    assert (mode, rebuild_from, built_as_of) == ("incremental", late.day, next_day)

    # The same warehouse rebuilt from scratch: every intermediate model and mart has the same rows.
    full = tmp_path / "full.duckdb"
    shutil.copy2(copy.warehouse, full)
    run_dbt(["run", "--full-refresh", "--quiet"], warehouse=full, log_dir=tmp_path / "logs").check()
    verdicts = compare(full, copy.warehouse, ("intermediate", "marts"))
    assert [(table, verdict) for table, verdict in verdicts if verdict != "same"] == []
    assert len(verdicts) > 60

    # Nothing new: the next build is incremental from the day after the as-of date, and changes nothing.
    rerun = pulse("run", env=copy.env())
    assert f"daily models: from {next_day + timedelta(days=1)} (the days after {next_day})" in rerun.stdout
    assert compare(full, copy.warehouse, ("intermediate", "marts")) == verdicts
