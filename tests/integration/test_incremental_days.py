"""Issue 12: a daily build after late events and a new day.

- It rebuilds only the days that changed (item 2), and gives exactly the rows of a full refresh.
- Killed with SIGKILL at random points of its dbt build, then two runs started together (one builds, the
  other stops with the lock message), it gives exactly the rows of the run that was never interrupted.

Both start from the same landed copy, and the uninterrupted run is built once for both (module fixture).
The whole process group is killed (pulse, Dagster's step and the dbt process it runs), as a power cut or the
OOM killer would, so nothing gets to clean up: DuckDB's write-ahead log, the rebuild plan left in
raw.rebuild_plan and the build record (written only after a finished build) must be enough. A kill can fall
in the rollups, in the incremental models, in the marts or in the assets after dbt.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.bench.compare import compare
from orchestration.dbt_project import run_dbt
from tests.support.commands import BuiltWarehouse, pulse
from tests.support.landing import land_late_event, land_usual_days, last_day, private_copy
from tests.support.runs import DEADLINE_SECONDS, kill_during_dbt, run_watching_dbt, start_run

KILLS = 3
SEED = 12
# What a killed-then-resumed warehouse must share with the uninterrupted one: every table dbt builds, but for
# the times their files were loaded (they differ between any two loads).
SCHEMAS = ("staging", "intermediate", "marts")
LOAD_TIMES = ("_loaded_at", "loaded_at", "last_loaded_at")


@dataclass(frozen=True)
class DailyRun:
    landed: BuiltWarehouse  # the late events and the new day landed, not run yet
    built: BuiltWarehouse  # the same after one uninterrupted `pulse run`
    output: str  # what that run printed
    late_day: date
    next_day: date
    dbt_span: tuple[float, float]  # seconds into the run when dbt first and last ran


@pytest.fixture(scope="module")
def daily_run(built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> DailyRun:
    root = tmp_path_factory.mktemp("daily-run")
    built = private_copy(built_warehouse, root / "built")
    as_of = last_day(built.warehouse)
    # Two late events weeks apart and the next usual day: app events only, so the build is incremental.
    late = land_late_event(built, days_back=30, message_id="late-incremental-0001")
    land_late_event(built, days_back=9, message_id="late-incremental-0002")
    next_day = as_of + timedelta(days=1)
    land_usual_days(built, [next_day], "incremental-next-day")
    landed = private_copy(built, root / "landed")
    span = run_watching_dbt(built, root / "run.log")
    return DailyRun(landed, built, (root / "run.log").read_text(), late.day, next_day, span)


def _builds(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select mode, rebuild_from, as_of_date from raw.model_builds order by finished_at"
        ).fetchall()
    finally:
        con.close()


def test_late_events_rebuild_their_days_and_match_a_full_refresh(daily_run: DailyRun, tmp_path: Path) -> None:
    copy = private_copy(daily_run.built, tmp_path / "incremental")
    assert f"daily models: from {daily_run.late_day}" in daily_run.output
    mode, rebuild_from, built_as_of = _builds(copy.warehouse)[-1]
    assert (mode, rebuild_from, built_as_of) == ("incremental", daily_run.late_day, daily_run.next_day)

    # The same warehouse rebuilt from scratch: every intermediate model and mart has the same rows.
    full = tmp_path / "full.duckdb"
    shutil.copy2(copy.warehouse, full)
    run_dbt(["run", "--full-refresh", "--quiet"], warehouse=full, log_dir=tmp_path / "logs").check()
    verdicts = compare(full, copy.warehouse, ("intermediate", "marts"))
    assert [(table, verdict) for table, verdict in verdicts if verdict != "same"] == []
    assert len(verdicts) > 60

    # Nothing new: the next build is incremental from the day after the as-of date, and changes nothing.
    rerun = pulse("run", env=copy.env())
    following = daily_run.next_day + timedelta(days=1)
    assert f"daily models: from {following} (the days after {daily_run.next_day})" in rerun.stdout
    assert compare(full, copy.warehouse, ("intermediate", "marts")) == verdicts


@pytest.mark.kill
def test_sigkill_during_the_build_then_one_run_equals_an_uninterrupted_run(
    daily_run: DailyRun, tmp_path: Path
) -> None:
    killed = private_copy(daily_run.landed, tmp_path / "killed")
    # Kill points spread over dbt's part of the run (its three dbt steps and the assets between them).
    first, last = daily_run.dbt_span
    rng = random.Random(SEED)
    points = [(last - first) * (i + rng.random()) / KILLS for i in range(KILLS)]
    outcomes = [kill_during_dbt(killed, tmp_path / "killed.log", point) for point in points]
    assert sum(outcomes) >= 2, f"the runs ended before their kill points: {outcomes}, {points}"

    # Then two runs started together, each willing to wait 20 s for the warehouse: one builds, the other says
    # who holds the warehouse and stops when its wait is over; neither corrupts anything.
    runs = [start_run(killed, tmp_path / f"together-{n}.log", lock_timeout=20) for n in (1, 2)]
    for run in runs:
        run.wait(timeout=DEADLINE_SECONDS)
    logs = [(tmp_path / f"together-{n}.log").read_text() for n in (1, 2)]
    assert sorted(run.returncode for run in runs) == [0, 1], "\n".join(log[-3000:] for log in logs)
    stopped = logs[[run.returncode for run in runs].index(1)]
    assert "is being written by pid" in stopped and "gave up after waiting 20 s" in stopped, stopped[-3000:]

    verdicts = compare(daily_run.built.warehouse, killed.warehouse, SCHEMAS, ignore=LOAD_TIMES)
    assert [(table, verdict) for table, verdict in verdicts if verdict != "same"] == []
    assert len(verdicts) > 60
