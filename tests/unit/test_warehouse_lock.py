"""One writer at a time: a second writer waits (saying who holds the warehouse, since when) or stops with that
message; readers never wait, they read the last published copy while a build writes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import ingest
from orchestration.settings import INGEST_PAUSE_ENV, LOCK_TIMEOUT_ENV
from orchestration.warehouse import RAW_TABLES
from orchestration.warehouse_lock import WarehouseBusy, exclusive, holder, publish, published_path, reading
from tests.support.commands import PROJECT_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
DEADLINE = 120


def _rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of the raw tables minus the load times (they differ between any two loads)."""
    drop = {"loaded_files": "loaded_at, duration_seconds", "rejects": "rejected_at"}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = ("loaded_files", "rejects", *RAW_TABLES)
        sql = "select * exclude ({}) from raw.{} order by all"
        return {t: con.execute(sql.format(drop.get(t, "_loaded_at"), t)).fetchall() for t in tables}
    finally:
        con.close()


def _ingest_child(landing: Path, warehouse: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "ingest", "--quiet",
         "--landing", str(landing), "--warehouse", str(warehouse)],
        cwd=PROJECT_ROOT, env={**os.environ, **env}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_holder(warehouse: Path, pid: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while (who := holder(warehouse)) is None or who.pid != pid:
        assert time.monotonic() < deadline, "the first writer never took the warehouse"
        time.sleep(0.05)


def test_two_ingests_started_together_one_waits_and_neither_corrupts_anything(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "clean", landing)
    clean = tmp_path / "clean.duckdb"
    ingest(landing, clean)

    warehouse = tmp_path / "w.duckdb"
    first = _ingest_child(landing, warehouse, **{INGEST_PAUSE_ENV: "0.3"})  # holds it a few seconds
    _wait_for_holder(warehouse, first.pid)
    second = _ingest_child(landing, warehouse)
    out_first, err_first = first.communicate(timeout=DEADLINE)
    out_second, err_second = second.communicate(timeout=DEADLINE)
    assert first.returncode == 0, err_first
    assert second.returncode == 0, err_second
    # the second says who holds the warehouse and since when, then waits and loads nothing twice
    assert f"is being written by pid {first.pid} on " in err_second and " since 20" in err_second
    assert "waiting up to 600 s (PULSE_LOCK_TIMEOUT)" in err_second
    assert out_second.splitlines()[-1].split()[:3] == ["total", "0", "6"]  # every file skipped
    assert _rows(warehouse) == _rows(clean)


def test_a_second_writer_stops_with_the_message_after_the_timeout(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "clean", landing)
    warehouse = tmp_path / "w.duckdb"
    with exclusive(warehouse, command="pulse run"):
        started = time.monotonic()
        late = _ingest_child(landing, warehouse, **{LOCK_TIMEOUT_ENV: "1"})
        _, err = late.communicate(timeout=DEADLINE)
        assert late.returncode == 1
        assert f"is being written by pid {os.getpid()} on" in err and "(pulse run) since" in err
        assert "gave up after waiting 1 s (set PULSE_LOCK_TIMEOUT to wait longer)" in err
        assert time.monotonic() - started < 60
    assert not warehouse.exists()  # it never touched the file


def test_the_lock_dies_with_its_holder_even_by_sigkill(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    code = (
        "import sys, time; from orchestration.warehouse_lock import exclusive\n"
        "with exclusive(sys.argv[1], command='holder'):\n    print('held', flush=True); time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(warehouse)], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy, match=r"\(holder\) since"), exclusive(warehouse, timeout=0.3):
            pass
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=DEADLINE)
        with exclusive(warehouse, timeout=5) as held:  # no stale lock
            assert held == warehouse.resolve()
    finally:
        child.kill()
        child.wait()


def test_readers_never_wait_they_read_the_published_copy_during_a_build(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table t as select 1 as version")
    con.close()
    with exclusive(warehouse):
        with exclusive(warehouse):  # reentrant within a process
            copy = publish(warehouse)
        assert copy == published_path(warehouse)
        with reading(warehouse) as path:  # this process writes: it reads its own work
            assert path == warehouse.resolve()
    code = (
        "import sys, time, duckdb; from orchestration.warehouse_lock import exclusive\n"
        "with exclusive(sys.argv[1], command='pulse run'):\n"
        "    con = duckdb.connect(sys.argv[1]); con.execute('update t set version = 2'); con.close()\n"
        "    print('writing', flush=True); time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(warehouse)], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
        started = time.monotonic()
        with reading(warehouse) as path:
            assert path == copy
            version = duckdb.connect(str(path), read_only=True).execute("select version from t").fetchone()
        assert version == (1,) and time.monotonic() - started < 2  # the last published data, at once
    finally:
        child.kill()
        child.wait()
    # no build running: readers read the live file, holding it shared, and a writer waits for them
    with reading(warehouse) as path:
        assert path == warehouse.resolve()
        busy = pytest.raises(WarehouseBusy, match="is open for reading by another process")
        with busy, exclusive(warehouse, timeout=0.3):
            pass
