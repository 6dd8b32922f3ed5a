"""One writer at a time, and readers that never wait for it.

DuckDB lets one process open a database file for writing, and no other process open it at all meanwhile: a
second `pulse run` used to end in DuckDB's lock traceback, and a report could not be read while a build ran.

- Writers (`pulse run`, `pulse ingest`, `pulse confirm`, every Dagster step that writes: ingestion, dbt, the
  release, the quality checks, the report site) hold `exclusive()`: an exclusive `flock` on
  `<warehouse>.lock`, which records who holds it (pid, command, since when). A second writer prints that
  and waits up to `PULSE_LOCK_TIMEOUT` seconds (600), then stops with the same message. The lock is
  reentrant within a process (`pulse run` holds it around its in-process Dagster steps), and the kernel
  releases it when the holder dies, even by SIGKILL: a stale lock file never blocks anyone.
- After each successful build the report site step publishes the warehouse: a copy written beside it and
  renamed over `<warehouse>.published.duckdb` (an atomic rename: a reader sees the old copy or the new one,
  never half of one). Readers (`pulse report`, `pulse health preview/backtest/validate`) use `reading()`: the
  live warehouse when no writer holds it (with a shared lock, so a writer waits for them rather than failing),
  else, without waiting, the last published copy.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from orchestration import settings

POLL_SECONDS = 0.25
_held: dict[Path, tuple[int, int]] = {}  # warehouse -> (file descriptor, depth) held by this process
_guard = threading.RLock()


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse longer than the lock timeout."""


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    started: str
    host: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}) since {self.started}"


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def published_path(warehouse: Path | None = None) -> Path:
    """The last published copy of the warehouse (written after each successful build)."""
    target = (warehouse or settings.warehouse_path()).resolve()
    return target.with_name(target.stem + ".published" + target.suffix)


def _resolve(warehouse: Path | str | None) -> Path:
    return Path(warehouse).resolve() if warehouse is not None else settings.warehouse_path()


def holder(warehouse: Path | str | None = None) -> Holder | None:
    """Who holds (or last held) the write lock, as it recorded itself."""
    try:
        data = json.loads(lock_path(_resolve(warehouse)).read_text() or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return Holder(int(data.get("pid", 0)), str(data.get("command", "?")), str(data.get("started", "?")),
                  str(data.get("host", "?")))  # fmt: skip


def _command() -> str:
    return " ".join(Path(arg).name if i == 0 else arg for i, arg in enumerate(sys.argv[:4])) or "python"


def _busy_message(warehouse: Path, timeout: float, waited: bool) -> str:
    who = holder(warehouse)
    if who is not None and who.pid and _alive(who.pid):
        by = f"is being written by {who.describe()}"
    else:
        by = "is open for reading by another process"
    if waited:
        return (
            f"warehouse {warehouse} {by}; gave up after waiting {timeout:g} s "
            f"(set {settings.LOCK_TIMEOUT_ENV} to wait longer)"
        )
    return f"warehouse {warehouse} {by}; waiting up to {timeout:g} s ({settings.LOCK_TIMEOUT_ENV})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def exclusive(
    warehouse: Path | str | None = None,
    command: str | None = None,
    timeout: float | None = None,
    out: TextIO | None = None,
) -> Iterator[Path]:
    """Hold the warehouse for writing; wait (saying for whom) up to `timeout` seconds, then WarehouseBusy."""
    target = _resolve(warehouse)
    with _guard:
        if target in _held:
            fd, depth = _held[target]
            _held[target] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield target
        finally:
            _release(target)
        return
    limit = settings.lock_timeout() if timeout is None else timeout
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(target), os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + limit
    told = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(_busy_message(target, limit, waited=True)) from None
                if not told:
                    print(_busy_message(target, limit, waited=False), file=out or sys.stderr, flush=True)
                    told = True
                time.sleep(POLL_SECONDS)
    except BaseException:
        os.close(fd)
        raise
    record = {
        "pid": os.getpid(),
        "command": command or _command(),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "host": socket.gethostname(),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)
    with _guard:
        _held[target] = (fd, 1)
    try:
        yield target
    finally:
        _release(target)


def _release(target: Path) -> None:
    with _guard:
        fd, depth = _held[target]
        if depth > 1:
            _held[target] = (fd, depth - 1)
            return
        del _held[target]
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def holds(warehouse: Path | str | None = None) -> bool:
    """This process holds the warehouse for writing."""
    return _resolve(warehouse) in _held


@contextlib.contextmanager
def reading(warehouse: Path | str | None = None, out: TextIO | None = None) -> Iterator[Path]:
    """The file to read, never waiting for a writer: the live warehouse when no writer holds it (shared lock
    held meanwhile), else the last published copy (or the live file when nothing was published yet: opening
    it then fails with DuckDB's own message)."""
    target = _resolve(warehouse)
    if holds(target) or not target.exists():
        yield target  # this process writes it (a step of the build reads its own work), or nothing to lock
        return
    fd = os.open(lock_path(target), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            copy = published_path(target)
            who = holder(target)
            if copy.exists():
                when = datetime.fromtimestamp(copy.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
                by = f" by {who.describe()}" if who else ""
                print(
                    f"note: the warehouse is being written{by}; reading the copy published at {when}: {copy}",
                    file=out or sys.stderr,
                    flush=True,
                )
                yield copy
            else:
                yield target
            return
        try:
            yield target
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def publish(warehouse: Path | str | None = None) -> Path:
    """Copy the warehouse to its published copy atomically (write beside it, then rename). Call it holding
    `exclusive()`, with no connection open on the file (the WAL is checkpointed into the file first)."""
    import duckdb

    target = _resolve(warehouse)
    if not holds(target):
        raise RuntimeError("publish() needs the warehouse held with exclusive()")
    if target.with_name(target.name + ".wal").exists():
        con = duckdb.connect(str(target))
        try:
            con.execute("checkpoint")
        finally:
            con.close()
    copy = published_path(target)
    partial = copy.with_name(copy.name + f".{os.getpid()}.partial")
    try:
        shutil.copyfile(target, partial)
        os.replace(partial, copy)
    finally:
        partial.unlink(missing_ok=True)
    return copy
