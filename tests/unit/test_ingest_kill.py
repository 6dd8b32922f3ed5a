"""`pulse ingest` killed (SIGKILL) at random points of a real load leaves only whole files, and the next run
ends in exactly the state of a load that was never interrupted.

The landing folder is generated (~200 small files, so the loader stages them in batches of up to 64, plus
the bad-input fixture for rejects, plus one gzip file larger than the readers' block, so kills also fall
while a file is streamed and staged in several chunks). The kill points are seeded and spread over the
files: the child is killed a few random milliseconds after its progress bar reaches a file, so kills fall
while files are read and staged, while a batch's rows are inserted and between commits, whatever the
machine's speed.
"""

from __future__ import annotations

import os
import random
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import ingest
from orchestration.warehouse import RAW_TABLES
from tests.support.commands import PROJECT_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
KILLS = 6
SEED = 14
DEADLINE_SECONDS = 120  # a load that hangs fails the test instead of hanging it
# tqdm on stderr: "ingest:  45%|####5     | 117/262 [00:01<00:01, ...]"
PROGRESS = re.compile(r"(\d+)/\d+ \[")


# columns that record when (and how long) a load ran: they differ between any two loads
LOAD_TIMES = {"loaded_files": "loaded_at, duration_seconds", "rejects": "rejected_at"}


def _differences(warehouse: Path, clean: Path) -> dict[str, int]:
    """Rows (minus load times) in one warehouse and not the other, per raw table (multiset difference)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(f"attach '{clean}' as clean (read_only)")
        differences = {}
        for table in ("loaded_files", "rejects", *RAW_TABLES):
            cols = f"* exclude ({LOAD_TIMES.get(table, '_loaded_at')})"
            differences[table] = con.execute(
                f"""
                select count(*) from (
                    (select {cols} from raw.{table} except all select {cols} from clean.raw.{table})
                    union all
                    (select {cols} from clean.raw.{table} except all select {cols} from raw.{table})
                )
                """
            ).fetchone()[0]
        return {table: count for table, count in differences.items() if count}
    finally:
        con.close()


def _start_ingest(landing: Path, warehouse: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "ingest",  # with its progress bar on stderr
         "--landing", str(landing), "--warehouse", str(warehouse)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _kill_after(child: subprocess.Popen[bytes], files_read: int, extra_seconds: float) -> int:
    """SIGKILL the child once its progress bar shows files_read files (plus extra_seconds); return the last
    count seen. Reads stderr without blocking, under a real deadline."""
    assert child.stderr is not None
    deadline = time.monotonic() + DEADLINE_SECONDS
    seen, text = 0, ""
    with selectors.DefaultSelector() as selector:
        selector.register(child.stderr, selectors.EVENT_READ)
        while seen < files_read and child.poll() is None:
            assert time.monotonic() < deadline, f"no progress to {files_read} files in {DEADLINE_SECONDS}s"
            if selector.select(timeout=0.5):
                chunk = os.read(child.stderr.fileno(), 65536).decode(errors="replace")
                text = (text + chunk)[-200:]
                counts = PROGRESS.findall(text)
                seen = int(counts[-1]) if counts else seen
    time.sleep(extra_seconds)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=DEADLINE_SECONDS)
    return seen


def _whole_files_only(warehouse: Path) -> tuple[int, list[str]]:
    """(files in the manifest, problems): every manifest file has exactly its rows and rejects in the tables,
    and no row or reject belongs to a file missing from the manifest."""
    con = duckdb.connect(str(warehouse), read_only=True)
    problems: list[str] = []
    try:
        files = con.execute("select count(*) from raw.loaded_files").fetchone()[0]
        for table in RAW_TABLES:
            problems += [
                f"raw.{table}: {path} has {actual} rows, manifest says {expected}"
                for path, expected, actual in con.execute(
                    f"""
                    select m.path, m.rows_loaded, count(t._file_id)
                    from raw.loaded_files as m left join raw.{table} as t on t._file_id = m.file_id
                    where m.target = '{table}' group by all having count(t._file_id) <> m.rows_loaded
                    """
                ).fetchall()
            ]
            orphans = con.execute(
                f"select count(*) from raw.{table} where _file_id not in "
                "(select file_id from raw.loaded_files)"
            ).fetchone()[0]
            if orphans:
                problems.append(f"raw.{table}: {orphans} rows of files not in the manifest")
        problems += [
            f"raw.rejects: {path} has {actual} rejects, manifest says {expected}"
            for path, expected, actual in con.execute(
                """
                select m.path, m.rows_rejected, count(r.file_id)
                from raw.loaded_files as m left join raw.rejects as r using (file_id)
                group by all having count(r.file_id) <> m.rows_rejected
                """
            ).fetchall()
        ]
        orphans = con.execute(
            "select count(*) from raw.rejects where file_id not in (select file_id from raw.loaded_files)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"raw.rejects: {orphans} rejects of files not in the manifest")
    finally:
        con.close()
    return files, problems


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kill") / "landing"
    subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "generate", "--accounts", "30", "--days", "90",
         "--seed", "3", "--out", str(root), "--quiet"],
        cwd=PROJECT_ROOT, check=True, capture_output=True, timeout=DEADLINE_SECONDS,
    )  # fmt: skip
    shutil.copytree(FIXTURES / "bad", root, dirs_exist_ok=True)  # rejects and a truncated gzip too
    _big_gzip(root / "app_events" / "segment-2026-09-15-big.jsonl.gz")
    return root


def _big_gzip(path: Path) -> None:
    """One Segment file of more than one read block (readers.BLOCK_BYTES) once decompressed."""
    import gzip
    import json

    from orchestration.ingest.readers import BLOCK_BYTES

    lines, size, number = [], 0, 0
    while size <= BLOCK_BYTES * 1.3:
        number += 1
        line = json.dumps({
            "type": "track", "messageId": f"big-{number}",
            "timestamp": f"2026-09-15T{number % 24:02d}:00:00Z",
            "userId": f"U{number % 97:06d}", "event": "Report Viewed", "context": {"groupId": "A000001"},
            "properties": {"module": "Reports", "note": "x" * (number % 200)},
        })  # fmt: skip
        lines.append(line)
        size += len(line) + 1
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1))


def test_sigkill_at_random_points_leaves_whole_files_and_the_rerun_equals_a_clean_load(
    landing: Path, tmp_path: Path
) -> None:
    clean = tmp_path / "clean.duckdb"
    ingest(landing, clean)
    total_files, problems = _whole_files_only(clean)
    assert problems == [] and total_files > 64  # more files than one batch holds

    rng = random.Random(SEED)
    # One kill point in each of KILLS equal slices of the files, up to 0.6 s (about one batch's inserts and
    # commits) after the progress bar reaches it. Each run resumes the previous killed one on the same
    # warehouse, so the kills also test restarting after a kill, again and again.
    points = [(int(total_files * (i + rng.random()) / KILLS) + 1, rng.uniform(0, 0.6)) for i in range(KILLS)]
    warehouse = tmp_path / "killed.duckdb"
    outcomes: list[tuple[int, bool, int]] = []
    for files_read, extra in points:
        child = _start_ingest(landing, warehouse)
        try:
            _kill_after(child, files_read, extra)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        killed = child.returncode == -signal.SIGKILL
        assert killed or child.returncode == 0, child.returncode
        files = 0
        if warehouse.exists():
            files, problems = _whole_files_only(warehouse)
            assert problems == [], (f"killed at file {files_read} + {extra:.2f}s", problems[:5])
        outcomes.append((files_read, killed, files))

    # At least one kill fell inside the load, after some commits and before the last (on a busy machine a
    # resumed run may finish before its kill point: that run is checked for whole files all the same) ...
    assert any(killed and 0 < files < total_files for _, killed, files in outcomes), outcomes
    # ... and the next run loads what is missing: the result is a clean load's, row for row.
    ingest(landing, warehouse)
    assert _differences(warehouse, clean) == {}, outcomes
