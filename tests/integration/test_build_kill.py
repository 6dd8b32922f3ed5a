"""Issue 12: `pulse run` killed with SIGKILL at random points of its dbt build, then two runs started
together, gives exactly the rows of a run that was never interrupted.

The whole process group is killed (pulse, Dagster's step and the dbt process it runs), as a power cut or the
OOM killer would, so nothing gets to clean up: DuckDB's write-ahead log, the rebuild plan left in
raw.rebuild_plan and the build record (written only after a finished build) must be enough. The run is a
daily one: late events and a new day on a built warehouse, so the daily models rebuild some days, and a kill
can fall in the rollups, in the incremental models, in the marts or in the assets after dbt.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from orchestration.bench.compare import compare
from tests.support.commands import PROJECT_ROOT, BuiltWarehouse
from tests.support.landing import land_late_event, land_usual_days, last_day, private_copy

KILLS = 3
SEED = 12
DEADLINE_SECONDS = 600  # a run that hangs fails the test instead of hanging it
# What the two runs must agree on: every table dbt builds, but for the times their files were loaded.
SCHEMAS = ("staging", "intermediate", "marts")
LOAD_TIMES = ("_loaded_at", "loaded_at", "last_loaded_at")


def _dbt_running(group: int) -> bool:
    """A dbt process is alive in the process group (read from /proc: no extra dependency)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # field 5 of /proc/PID/stat is the process group; the command name (field 2) may contain spaces
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and any(part.endswith(b"/dbt") or part == b"dbt" for part in command[:2]):
            return True
    return False


def _start_run(copy: BuiltWarehouse, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run"],
            cwd=PROJECT_ROOT, env=copy.env(), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: dbt and Dagster's children die with it
        )  # fmt: skip


def _dbt_span(copy: BuiltWarehouse, log: Path) -> tuple[float, float]:
    """Run to the end; return (seconds until dbt first ran, seconds until it last ran)."""
    child = _start_run(copy, log)
    started, first, last = time.monotonic(), None, None
    while child.poll() is None:
        assert time.monotonic() - started < DEADLINE_SECONDS, "pulse run did not finish"
        if _dbt_running(child.pid):
            now = time.monotonic() - started
            first, last = first if first is not None else now, now
        time.sleep(0.1)
    assert child.returncode == 0, log.read_text()[-4000:]
    assert first is not None and last is not None, "no dbt process seen"
    return first, last


def _kill_during_dbt(copy: BuiltWarehouse, log: Path, after_seconds: float) -> bool:
    """Start a run, SIGKILL its process group after_seconds after dbt first runs; False if it ended first."""
    child = _start_run(copy, log)
    started = time.monotonic()
    while not _dbt_running(child.pid):
        assert time.monotonic() - started < DEADLINE_SECONDS, "no dbt process seen"
        if child.poll() is not None:
            return False
        time.sleep(0.05)
    deadline = time.monotonic() + after_seconds
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    if child.poll() is not None:
        return False
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    return True


def test_sigkill_during_the_build_then_one_run_equals_an_uninterrupted_run(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    landed = private_copy(built_warehouse, tmp_path / "landed")
    as_of = last_day(landed.warehouse)
    land_late_event(landed, days_back=20, message_id="late-kill-0001")
    land_usual_days(landed, [as_of + timedelta(days=1)], "kill-next-day")
    killed = private_copy(landed, tmp_path / "killed")
    uninterrupted = landed

    first, last = _dbt_span(uninterrupted, tmp_path / "uninterrupted.log")
    # Kill points spread over dbt's part of the run (its three dbt steps and the assets between them).
    rng = random.Random(SEED)
    span = last - first
    points = [span * (i + rng.random()) / KILLS for i in range(KILLS)]
    outcomes = [_kill_during_dbt(killed, tmp_path / "killed.log", point) for point in points]
    assert sum(outcomes) >= 2, f"the runs ended before their kill points: {outcomes}, {points}"

    # Then two runs started together: one builds, the other waits for the warehouse (saying who holds it),
    # then runs; neither fails nor corrupts anything.
    runs = [_start_run(killed, tmp_path / f"together-{n}.log") for n in (1, 2)]
    for run in runs:
        run.wait(timeout=DEADLINE_SECONDS)
    logs = [(tmp_path / f"together-{n}.log").read_text() for n in (1, 2)]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(log[-3000:] for log in logs)
    assert sum("waiting up to" in log for log in logs) == 1  # "warehouse ... is being written by pid ..."
    verdicts = compare(uninterrupted.warehouse, killed.warehouse, SCHEMAS, ignore=LOAD_TIMES)
    assert [(table, verdict) for table, verdict in verdicts if verdict != "same"] == []
    assert len(verdicts) > 60
