"""`pulse run` as a child process a test can watch and kill: its own process group, its output in a log file,
and whether dbt is running in it (read from /proc, no extra dependency)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.commands import PROJECT_ROOT, BuiltWarehouse

DEADLINE_SECONDS = 600  # a run that hangs fails the test instead of hanging it


def dbt_running(group: int) -> bool:
    """A dbt process is alive in the process group."""
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


def start_run(copy: BuiltWarehouse, log: Path, lock_timeout: int | None = None) -> subprocess.Popen[bytes]:
    env = copy.env()
    if lock_timeout is not None:
        env["PULSE_LOCK_TIMEOUT"] = str(lock_timeout)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: dbt and Dagster's children die with it
        )  # fmt: skip


def run_watching_dbt(copy: BuiltWarehouse, log: Path) -> tuple[float, float]:
    """Run to the end; return (seconds until dbt first ran, seconds until it last ran)."""
    child = start_run(copy, log)
    started, first, last = time.monotonic(), None, None
    while child.poll() is None:
        assert time.monotonic() - started < DEADLINE_SECONDS, "pulse run did not finish"
        if dbt_running(child.pid):
            now = time.monotonic() - started
            first, last = first if first is not None else now, now
        time.sleep(0.1)
    assert child.returncode == 0, log.read_text()[-4000:]
    assert first is not None and last is not None, "no dbt process seen"
    return first, last


def kill_during_dbt(copy: BuiltWarehouse, log: Path, after_seconds: float) -> bool:
    """Start a run, SIGKILL its process group after_seconds after dbt first runs; False if it ended first."""
    child = start_run(copy, log)
    started = time.monotonic()
    while not dbt_running(child.pid):
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
