"""Load landing files into the raw schema: one transaction per file, a manifest row per file version.

A file is identified by (source, path, content hash). The same bytes are never loaded twice; new bytes at a
known path are a new version. Rows, rejects and the manifest row of a file commit together or not at all.

Files are streamed (readers.py): their rows reach DuckDB in chunks, so memory does not grow with a file's
size. For throughput, consecutive new files of one mapping (about BATCH_ROWS rows / BATCH_FILES files) are
parsed and typed into one temp table (DuckDB spills it past its memory limit), and their message ids are
checked against the raw table by one semi-join per batch. The batch is only a staging area: each file is
then inserted and committed in its own transaction, in file order, exactly as if it had been loaded alone
(tests compare both ways).
Temp tables never reach the database file, so a crash at any point leaves only whole, committed files.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import fsspec
import numpy as np
import pyarrow as pa

from orchestration import settings
from orchestration.ingest.mapping import Mapping, load_mappings, raw_columns
from orchestration.ingest.readers import Reject, csv_rows, parquet_chunks, peek_header, text_rows
from orchestration.ingest.stage import StageSql, ident
from orchestration.settings import landing_root, warehouse_path
from orchestration.warehouse import ensure_raw_schema
from orchestration.warehouse_lock import exclusive


class IngestError(RuntimeError):
    """The landing folder cannot be ingested as configured (e.g. a file matches two mappings)."""


@dataclass(frozen=True)
class LandingFile:
    mapping: Mapping
    url: str  # what fsspec opens
    path: str  # relative to the landing root, e.g. app_events/segment-2026-03-02.jsonl
    size: int
    mtime: str

    @property
    def source(self) -> str:
        return self.mapping.source


@dataclass
class FileResult:
    source: str
    mapping: str
    target: str
    path: str
    status: str  # loaded | skipped | failed
    version: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def totals(self, targets: Iterable[str] | None = None) -> dict[str, int]:
        wanted = set(targets) if targets is not None else None
        picked = [f for f in self.files if wanted is None or f.target in wanted]
        return {
            "files_loaded": sum(f.status == "loaded" for f in picked),
            "files_skipped": sum(f.status == "skipped" for f in picked),
            "files_failed": sum(f.status == "failed" for f in picked),
            "rows_read": sum(f.rows_read for f in picked),
            "rows_loaded": sum(f.rows_loaded for f in picked),
            "rows_duplicate": sum(f.rows_duplicate for f in picked),
            "rows_rejected": sum(f.rows_rejected for f in picked),
        }

    def by_source(self) -> dict[str, dict[str, float]]:
        sources: dict[str, dict[str, float]] = {}
        for f in self.files:
            row = sources.setdefault(
                f.source,
                {"files_loaded": 0, "files_skipped": 0, "files_failed": 0, "rows_loaded": 0,
                 "rows_duplicate": 0, "rows_rejected": 0, "seconds": 0.0},
            )  # fmt: skip
            row[f"files_{f.status}"] += 1
            row["rows_loaded"] += f.rows_loaded
            row["rows_duplicate"] += f.rows_duplicate
            row["rows_rejected"] += f.rows_rejected
            row["seconds"] += f.seconds
        return dict(sorted(sources.items()))

    @property
    def failures(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def format(self) -> str:
        lines = [
            f"{'source':<14}{'loaded':>8}{'skipped':>9}{'failed':>8}{'rows':>12}{'duplicates':>12}"
            f"{'rejected':>10}{'seconds':>9}"
        ]
        for source, row in self.by_source().items():
            lines.append(
                f"{source:<14}{row['files_loaded']:>8}{row['files_skipped']:>9}{row['files_failed']:>8}"
                f"{row['rows_loaded']:>12,}{row['rows_duplicate']:>12,}{row['rows_rejected']:>10,}"
                f"{row['seconds']:>9.1f}"
            )
        total = self.totals()
        lines.append(
            f"{'total':<14}{total['files_loaded']:>8}{total['files_skipped']:>9}{total['files_failed']:>8}"
            f"{total['rows_loaded']:>12,}{total['rows_duplicate']:>12,}{total['rows_rejected']:>10,}"
            f"{self.seconds:>9.1f}"
        )
        for failure in self.failures:
            lines.append(f"FAILED {failure.path}: {failure.error}")
        return "\n".join(lines)


def select_mappings(
    mappings: Sequence[Mapping], sources: Iterable[str] | None = None, targets: Iterable[str] | None = None
) -> list[Mapping]:
    wanted_sources = set(sources) if sources else None
    wanted_targets = set(targets) if targets else None
    if wanted_sources:
        unknown = wanted_sources - {m.source for m in mappings}
        if unknown:
            known = sorted({m.source for m in mappings})
            raise IngestError(f"no mapping reads source(s) {sorted(unknown)}; known sources: {known}")
    return [
        m
        for m in mappings
        if (wanted_sources is None or m.source in wanted_sources)
        and (wanted_targets is None or m.target in wanted_targets)
    ]


def _matches(mapping: Mapping, relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, g) or fnmatch.fnmatchcase(relative, g) for g in mapping.files)


def list_landing_files(landing: str, mappings: Sequence[Mapping]) -> list[LandingFile]:
    """Every file under <landing>/<source>/ that a mapping claims, sorted by path (any fsspec URL)."""
    fs, root = fsspec.core.url_to_fs(landing)
    root = root.rstrip("/")
    protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
    found: list[LandingFile] = []
    by_source: dict[str, list[Mapping]] = {}
    for mapping in mappings:
        by_source.setdefault(mapping.source, []).append(mapping)
    for source, candidates in sorted(by_source.items()):
        folder = f"{root}/{source}"
        if not fs.exists(folder):
            continue
        for full, info in sorted(fs.find(folder, detail=True).items()):
            if info.get("type") == "directory":
                continue
            relative = f"{source}/{full[len(folder) + 1 :]}" if full.startswith(folder + "/") else full
            claimed = [m for m in candidates if _matches(m, relative.split("/", 1)[1])]
            if not claimed:
                continue
            if len(claimed) > 1:
                names = ", ".join(f"{m.name} ({m.file.name})" for m in claimed)
                raise IngestError(
                    f"{relative} matches more than one mapping: {names}; make their globs disjoint"
                )
            mtime = info.get("mtime", info.get("created", info.get("LastModified", info.get("updated", ""))))
            url = full if protocol in ("file", "local") else fs.unstrip_protocol(full)
            found.append(LandingFile(claimed[0], url, relative, int(info.get("size") or 0), str(mtime)))
    return found


def file_id(source: str, path: str, content_hash: str) -> str:
    return hashlib.sha256(f"{source}\x1f{path}\x1f{content_hash}".encode()).hexdigest()


# Several small files of one mapping are staged by one DuckDB statement (parsing and typing run in parallel
# and the fixed cost per statement is paid once), then each file still commits in its own transaction. A large
# file is staged chunk by chunk into the same temp table, which DuckDB spills to disk past its memory limit.
BATCH_ROWS = 250_000
BATCH_FILES = 64
# Rows handed to DuckDB per staging statement (also bounds the Arrow chunks held in Python at once).
STAGE_ROWS = 200_000
STAGE_BYTES = 48 << 20
# DuckDB checkpoints when the WAL passes 16MB by default: every ~10 event files, each time rewriting the
# table's last row group. Durability does not change (the WAL is synced at every commit); the final
# checkpoint runs at close.
CHECKPOINT_THRESHOLD = "256MB"
LOAD_ERRORS = (duckdb.Error, ValueError, OSError, pa.ArrowException, EOFError)
HASH_BLOCK = 8 << 20
STAGE_SCHEMA = pa.schema(
    [("_line", pa.int64()), ("_raw", pa.large_string()), ("_bad", pa.string()), ("_fidx", pa.int32())]
)


@dataclass
class _Pending:
    """A new file version, waiting for its batch to be staged. Its rows are read while the batch is staged."""

    slot: int  # position in summary.files
    file: LandingFile
    size: int
    digest: str
    version: int
    header: list[str] | None  # CSV header fields (None for JSON-shaped input)
    rows_seen: int = 0  # rows handed to staging (for the batch size)
    rejects: list[Reject] = field(default_factory=list)  # file-level: a truncated or corrupt gzip stream

    def result(self, status: str, error: str | None = None) -> FileResult:
        mapping = self.file.mapping
        return FileResult(
            mapping.source, mapping.name, mapping.target, self.file.path, status, self.version, error=error
        )

    def batch_key(self) -> tuple:
        """Files share a staging statement only if one SQL fits them all (same mapping and CSV header)."""
        header = tuple(self.header) if self.header is not None else None
        return (self.file.mapping.name, header)


def _open(fs: Any, file: LandingFile) -> Any:  # noqa: ANN401 - an fsspec file system / binary file
    return fs.open(file.url, "rb")


def _digest(fs: Any, file: LandingFile) -> tuple[str, int]:  # noqa: ANN401
    """sha256 and size of the stored bytes, read in blocks."""
    digest, size = hashlib.sha256(), 0
    with _open(fs, file) as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class _HashingReader:
    """A binary file that hashes what is read from it: the rows loaded are proven to be the bytes hashed."""

    def __init__(self, handle: Any) -> None:  # noqa: ANN401
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data

    def finish(self) -> str:
        while self.read(HASH_BLOCK):  # what the reader left (e.g. bytes after a broken gzip stream)
            pass
        return self.digest.hexdigest()


def _rows(
    fs: Any,  # noqa: ANN401
    file: LandingFile,
    rejects: list[Reject],
    digest: str | None = None,
) -> tuple[list[str] | None, Iterator[pa.Table]]:
    """(CSV header, chunks of _line, _raw, _bad | _line, _row for Parquet) of one file, read lazily.

    With `digest`, text files are hashed as they are read: bytes that changed since the file was hashed (a
    file still being written) fail the file, which is loaded at the next run."""
    mapping = file.mapping
    handle = _open(fs, file)
    reader = _HashingReader(handle)

    def closing(chunks: Iterator[pa.Table]) -> Iterator[pa.Table]:
        try:
            yield from chunks
            if digest is not None and mapping.format != "parquet" and reader.finish() != digest:
                raise OSError(f"{file.path} changed while it was loaded; it is loaded again at the next run")
        finally:
            handle.close()

    if mapping.format == "parquet":
        return None, closing(parquet_chunks(handle))
    chunks = text_rows(reader, file.path, mapping.format == "csv", rejects)
    if mapping.format == "csv":
        header, chunks = csv_rows(chunks, mapping.delimiter)
        return header or [], closing(chunks)
    return None, closing(chunks)


def _as_text_rows(con: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.Table:
    """Parquet rows (a struct each) -> JSON text, then the same path as JSON lines."""
    con.register("_ingest_parquet", table)
    try:
        return con.sql(
            "select _line, to_json(_row)::varchar as _raw, null::varchar as _bad from _ingest_parquet"
        ).to_arrow_table()
    finally:
        con.unregister("_ingest_parquet")


def _stage_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[_Pending],
    fs: Any,  # noqa: ANN401
) -> dict[int, tuple[int, int]]:
    """Read and type every row of the batch into temp table `_ingest_stage`; {file index: (read, rejected)}.

    Rows are read in chunks and staged a few hundred thousand at a time, so memory does not grow with the
    files' size: the temp table lives in DuckDB's buffer pool and spills to its temp directory.

    For event tables `_ingest_skip` lists the duplicate rows: a valid row whose id occurs earlier in the batch
    (earlier file, then earlier line), or whose id is already in the raw table. The raw table is probed with
    one semi-join per batch whose hash table is built on the batch's ids: the raw table is only scanned (with
    those ids as a bloom filter), never hashed, so the cost per file does not grow with the table.
    """
    mapping = batch[0].file.mapping
    query = StageSql(mapping, batch[0].header).query("_ingest_input")
    con.execute("drop table if exists _ingest_stage")
    created = False
    buffered: list[pa.Table] = []
    buffered_rows = buffered_bytes = 0

    def flush() -> None:
        nonlocal created, buffered, buffered_rows, buffered_bytes
        if not buffered and created:
            return
        table = pa.concat_tables(buffered) if buffered else STAGE_SCHEMA.empty_table()
        con.register("_ingest_input", table)
        try:
            if created:
                con.execute(f"insert into _ingest_stage {query}")
            else:
                con.execute(f"create temp table _ingest_stage as {query}")
                created = True
        finally:
            con.unregister("_ingest_input")
        buffered, buffered_rows, buffered_bytes = [], 0, 0

    for index, pending in enumerate(batch):
        pending.rejects = []
        pending.rows_seen = 0
        _, chunks = _rows(fs, pending.file, pending.rejects, pending.digest)
        for chunk in chunks:
            if mapping.format == "parquet":
                chunk = _as_text_rows(con, chunk)
            chunk = pa.table(
                [chunk.column("_line"), chunk.column("_raw").cast(pa.large_string()),
                 chunk.column("_bad").cast(pa.string()), pa.array(np.full(chunk.num_rows, index, np.int32))],
                schema=STAGE_SCHEMA,
            )  # fmt: skip
            buffered.append(chunk)
            pending.rows_seen += chunk.num_rows
            buffered_rows += chunk.num_rows
            buffered_bytes += chunk.nbytes
            if buffered_rows >= STAGE_ROWS or buffered_bytes >= STAGE_BYTES:
                flush()
    flush()
    if mapping.dedup_key:
        key = ident(mapping.dedup_key)
        # the window only runs over ids that repeat inside the batch, which is usually none of them
        con.execute(f"""
            create or replace temp table _ingest_skip as
            with valid as (select _fidx, _line, {key} from _ingest_stage where _reason is null),
            repeated as (select {key} from valid group by {key} having count(*) > 1),
            later as (
                select _fidx, _line from (
                    select _fidx, _line, row_number() over (partition by {key} order by _fidx, _line) as _rn
                    from valid where {key} in (select {key} from repeated)
                ) as r
                where _rn > 1
            ),
            known as (
                select _fidx, _line from valid
                where {key} in (
                    select {key} from raw.{ident(mapping.target)}
                    where {key} in (select {key} from valid)
                )
            )
            select _fidx, _line from later
            union
            select _fidx, _line from known""")
    counts = con.execute(
        "select _fidx, count(*), count(_reason) from _ingest_stage group by _fidx"
    ).fetchall()
    return {int(i): (int(read), int(rejected)) for i, read, rejected in counts}


def _commit_file(
    con: duckdb.DuckDBPyConnection,
    pending: _Pending,
    index: int,
    counts: dict[int, tuple[int, int]],
    any_skip: bool,
    staged_seconds: float,
) -> FileResult:
    """Load one staged file version in one transaction: rows, rejects and the manifest row, or nothing."""
    started = time.monotonic()
    mapping = pending.file.mapping
    fid = file_id(mapping.source, pending.file.path, pending.digest)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    result = pending.result("loaded")
    read, rejected = counts.get(index, (0, 0))
    columns = [c for c in raw_columns()[mapping.target] if not c.startswith("_")]
    target_list = ", ".join(ident(c) for c in columns if c in mapping.columns or c == mapping.unmapped_into)
    where = "s._fidx = ? and s._reason is null"
    params: list = [mapping.source, fid, loaded_at, index]
    if any_skip:
        # duplicates: first occurrence wins (earlier file, then earlier line); ids in the table already lose
        where += " and not exists (select 1 from _ingest_skip as k where k._fidx = ? and k._line = s._line)"
        params.append(index)
    con.begin()
    try:
        inserted = con.execute(
            f"insert into raw.{ident(mapping.target)} ({target_list}, _source, _file_id, _line, _loaded_at) "
            f"select {target_list}, ?, ?, _line, ? from _ingest_stage as s where {where}",
            params,
        ).fetchone()[0]
        if rejected:
            con.execute(
                "insert into raw.rejects select ?, ?, ?, ?, _line, _raw, _reason, ? "
                "from _ingest_stage where _fidx = ? and _reason is not null order by _line",
                [mapping.source, mapping.name, fid, pending.file.path, loaded_at, index],
            )
        if pending.rejects:  # file-level rejects found while decoding/splitting (invalid UTF-8, CSV, gzip)
            extra = pa.table(
                {
                    "line": pa.array([r.line for r in pending.rejects], pa.int64()),
                    "raw_text": pa.array([r.raw_text for r in pending.rejects], pa.large_string()),
                    "reason": pa.array([r.reason for r in pending.rejects], pa.large_string()),
                }
            )
            con.register("_ingest_pre_rejects", extra)
            try:
                con.execute(
                    "insert into raw.rejects select ?, ?, ?, ?, line, raw_text, reason, ? "
                    "from _ingest_pre_rejects order by line nulls last",
                    [mapping.source, mapping.name, fid, pending.file.path, loaded_at],
                )
            finally:
                con.unregister("_ingest_pre_rejects")
        result.rows_loaded = int(inserted)
        result.rows_rejected = rejected + len(pending.rejects)
        result.rows_duplicate = read - rejected - result.rows_loaded
        result.rows_read = result.rows_loaded + result.rows_duplicate + result.rows_rejected
        result.seconds = staged_seconds + time.monotonic() - started
        con.execute(
            "insert into raw.loaded_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fid,
                mapping.source,
                mapping.name,
                mapping.target,
                pending.file.path,
                pending.size,
                pending.digest,
                pending.version,
                result.rows_read,
                result.rows_loaded,
                result.rows_duplicate,
                result.rows_rejected,
                loaded_at,
                result.seconds,
            ],
        )
        pause = settings.ingest_pause_before_commit()
        if pause:
            print(f"ingest: pausing before commit of {pending.file.path}", file=sys.stderr, flush=True)
            time.sleep(pause)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[_Pending],
    results: list[FileResult | None],
    known: set[tuple[str, str, str]],
    versions: dict[tuple[str, str], int],
    fs: Any,  # noqa: ANN401 - the landing file system
) -> None:
    """Stage a batch once, then commit its files one by one, in order. A failure never spreads: a batch that
    cannot be staged is retried file by file, and after a file fails the rest of the batch is restaged
    without it (its rows were counted as first occurrences)."""
    if not batch:
        return
    started = time.monotonic()
    try:
        counts = _stage_batch(con, batch, fs)
        any_skip = bool(batch[0].file.mapping.dedup_key) and bool(
            con.execute("select count(*) from _ingest_skip").fetchone()[0]
        )
    except LOAD_ERRORS as error:
        if len(batch) > 1:
            for pending in batch:
                _load_batch(con, [pending], results, known, versions, fs)
            return
        results[batch[0].slot] = batch[0].result("failed", f"{type(error).__name__}: {error}")
        return
    staged = time.monotonic() - started
    total_rows = sum(p.rows_seen for p in batch) or 1
    rest: list[_Pending] = []
    try:
        for index, pending in enumerate(batch):
            share = staged * pending.rows_seen / total_rows
            try:
                result = _commit_file(con, pending, index, counts, any_skip, share)
            except LOAD_ERRORS as error:
                results[pending.slot] = pending.result("failed", f"{type(error).__name__}: {error}")
                rest = batch[index + 1 :]
                break
            results[pending.slot] = result
            known.add((pending.file.source, pending.file.path, pending.digest))
            versions[(pending.file.source, pending.file.path)] = pending.version
    finally:
        con.execute("drop table if exists _ingest_stage")
        con.execute("drop table if exists _ingest_skip")
    for pending in rest:
        _load_batch(con, [pending], results, known, versions, fs)


def _known_files(
    con: duckdb.DuckDBPyConnection,
) -> tuple[set[tuple[str, str, str]], dict[tuple[str, str], int]]:
    rows = con.execute("select source, path, content_hash, version from raw.loaded_files").fetchall()
    known = {(source, path, digest) for source, path, digest, _ in rows}
    versions: dict[tuple[str, str], int] = {}
    for source, path, _, version in rows:
        versions[(source, path)] = max(version, versions.get((source, path), 0))
    return known, versions


def ingest(
    landing: str | os.PathLike[str] | None = None,
    warehouse: str | os.PathLike[str] | None = None,
    sources: Iterable[str] | None = None,
    targets: Iterable[str] | None = None,
    mappings_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> IngestSummary:
    """Load every new file version of the selected mappings. Bad rows become rejects; the run goes on.

    A file that fails unexpectedly is rolled back, reported as failed (summary.failures) and retried next run.
    A second writer of the same warehouse waits for the first (orchestration.warehouse_lock).
    """
    started = time.monotonic()
    landing_url = str(landing) if landing is not None else landing_root()
    mappings = select_mappings(load_mappings(mappings_dir), sources, targets)
    files = list_landing_files(landing_url, mappings)
    target_path = warehouse_path() if warehouse is None else settings.checked_warehouse_name(Path(warehouse))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    summary = IngestSummary()
    with exclusive(target_path):
        _ingest_files(target_path, files, landing_url, summary, progress)
    summary.seconds = time.monotonic() - started
    return summary


def _ingest_files(
    target_path: Path, files: list[LandingFile], landing_url: str, summary: IngestSummary, progress: bool
) -> None:
    from tqdm import tqdm

    con = duckdb.connect(str(target_path))
    try:
        con.execute("set TimeZone = 'UTC'")  # timestamps without an offset are UTC
        con.execute("set enable_progress_bar = false")
        con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        # bounded memory whatever the files' size: the staging tables spill to disk past the limit
        con.execute("set memory_limit = ?", [settings.duckdb_memory_limit()])
        con.execute("set temp_directory = ?", [str(settings.duckdb_temp_directory(target_path))])
        ensure_raw_schema(con)
        known, versions = _known_files(con)
        results: list[FileResult | None] = []
        batch: list[_Pending] = []
        batch_rows = 0
        fs, _ = fsspec.core.url_to_fs(landing_url)
        for file in tqdm(files, desc="ingest", unit="file", file=sys.stderr, disable=not progress):
            mapping = file.mapping
            version = versions.get((file.source, file.path), 0) + 1
            try:
                digest, size = _digest(fs, file)
                if (file.source, file.path, digest) in known:
                    skipped = FileResult(file.source, mapping.name, mapping.target, file.path, "skipped")
                    results.append(skipped)
                    continue
                header = None
                if mapping.format == "csv":  # the header decides which files share a staging statement
                    with _open(fs, file) as handle:
                        header = peek_header(handle, file.path, mapping.delimiter)
            except LOAD_ERRORS as error:
                results.append(FileResult(
                    file.source, mapping.name, mapping.target, file.path, "failed", version,
                    error=f"{type(error).__name__}: {error}",
                ))  # fmt: skip
                continue
            results.append(None)
            pending = _Pending(len(results) - 1, file, size, digest, version, header)
            if batch and (
                pending.batch_key() != batch[0].batch_key()
                or batch_rows >= BATCH_ROWS
                or len(batch) >= BATCH_FILES
            ):
                _load_batch(con, batch, results, known, versions, fs)
                batch, batch_rows = [], 0
            batch.append(pending)
            # rows are not counted before staging: a file's size stands in (about 100 bytes a row)
            batch_rows += max(1, size // 100)
        _load_batch(con, batch, results, known, versions, fs)
        summary.files = [r for r in results if r is not None]
    finally:
        with contextlib.suppress(
            duckdb.Error
        ):  # a global setting: other connections in this process keep theirs
            con.execute("reset checkpoint_threshold")
            con.execute("reset memory_limit")
        con.close()


__all__ = [
    "IngestError",
    "IngestSummary",
    "FileResult",
    "LandingFile",
    "ingest",
    "list_landing_files",
    "Reject",
]
