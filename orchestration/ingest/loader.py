"""Load landing files into the raw schema: one transaction per file, a manifest row per file version.

A file is identified by (source, path, content hash). The same bytes are never loaded twice; new bytes at a
known path are a new version. Rows, rejects and the manifest row of a file commit together or not at all.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import fsspec
import pyarrow as pa

from orchestration.ingest.mapping import Mapping, load_mappings, raw_columns
from orchestration.ingest.readers import Reject, decode, parquet_rows, split_csv, split_lines
from orchestration.ingest.stage import StageSql, ident
from orchestration.warehouse import ensure_raw_schema, landing_root, warehouse_path

# Test hook: sleep this many seconds after a file's rows are inserted but before its commit (kill -9 tests).
PAUSE_ENV = "PULSE_INGEST_PAUSE_BEFORE_COMMIT"


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


def _rows_for(
    mapping: Mapping, data: bytes, path: str, con: duckdb.DuckDBPyConnection
) -> tuple[str, StageSql, list]:
    """Register the file's rows as `_ingest_input` and return the relation name and its staging SQL."""
    decoded = decode(data, path)
    if mapping.format == "csv":
        rows = split_csv(decoded, mapping.delimiter)
        con.register("_ingest_input", rows.table)
        return "_ingest_input", StageSql(mapping, rows.header), rows.rejects
    if mapping.format == "jsonl":
        rows = split_lines(decoded)
        con.register("_ingest_input", rows.table)
        return "_ingest_input", StageSql(mapping), rows.rejects
    # parquet: each row as JSON text, then the same path as JSON lines
    con.register("_ingest_parquet", parquet_rows(data))
    con.execute(
        "create or replace temp table _ingest_input as select _line, to_json(_row)::varchar as _raw "
        "from _ingest_parquet"
    )
    con.unregister("_ingest_parquet")
    return "_ingest_input", StageSql(mapping), []


def load_file(
    con: duckdb.DuckDBPyConnection, file: LandingFile, data: bytes, content_hash: str, version: int
) -> FileResult:
    """Load one file version in one transaction: rows, rejects and the manifest row, or nothing."""
    started = time.monotonic()
    mapping = file.mapping
    fid = file_id(mapping.source, file.path, content_hash)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    result = FileResult(mapping.source, mapping.name, mapping.target, file.path, "loaded", version)
    con.begin()
    try:
        relation, stage, pre_rejects = _rows_for(mapping, data, file.path, con)
        con.execute(f"create or replace temp table _ingest_stage as {stage.query(relation)}")
        columns = [c for c in raw_columns()[mapping.target] if not c.startswith("_")]
        mapped = [c for c in columns if c in mapping.columns or c == mapping.unmapped_into]
        target_list = ", ".join(ident(c) for c in mapped)
        params = [mapping.source, fid, loaded_at]
        valid = "select * from _ingest_stage where _reason is null"
        if mapping.dedup_key:
            key = ident(mapping.dedup_key)
            # first occurrence in the file wins; an id already in the table is a duplicate (anti-join)
            valid = f"""
                select * from (
                    select *, row_number() over (partition by {key} order by _line) as _rn from ({valid})
                ) as v
                where _rn = 1
                  and not exists (select 1 from raw.{ident(mapping.target)} as e where e.{key} = v.{key})"""
        inserted = con.execute(
            f"insert into raw.{ident(mapping.target)} ({target_list}, _source, _file_id, _line, _loaded_at) "
            f"select {target_list}, ?, ?, _line, ? from ({valid}) as rows order by _line",
            params,
        ).fetchone()[0]
        read, rejected = con.execute("select count(*), count(_reason) from _ingest_stage").fetchone()
        con.execute(
            "insert into raw.rejects select ?, ?, ?, ?, _line, _raw, _reason, ? "
            "from _ingest_stage where _reason is not null order by _line",
            [mapping.source, mapping.name, fid, file.path, loaded_at],
        )
        if pre_rejects:
            extra = pa.table(
                {
                    "line": pa.array([r.line for r in pre_rejects], pa.int64()),
                    "raw_text": pa.array([r.raw_text for r in pre_rejects], pa.large_string()),
                    "reason": pa.array([r.reason for r in pre_rejects], pa.large_string()),
                }
            )
            con.register("_ingest_pre_rejects", extra)
            con.execute(
                "insert into raw.rejects select ?, ?, ?, ?, line, raw_text, reason, ? "
                "from _ingest_pre_rejects "
                "order by line nulls last",
                [mapping.source, mapping.name, fid, file.path, loaded_at],
            )
            con.unregister("_ingest_pre_rejects")
        result.rows_loaded = int(inserted)
        result.rows_rejected = int(rejected) + len(pre_rejects)
        result.rows_duplicate = int(read) - int(rejected) - int(inserted)
        result.rows_read = result.rows_loaded + result.rows_duplicate + result.rows_rejected
        result.seconds = time.monotonic() - started
        con.execute(
            "insert into raw.loaded_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fid,
                mapping.source,
                mapping.name,
                mapping.target,
                file.path,
                len(data),
                content_hash,
                version,
                result.rows_read,
                result.rows_loaded,
                result.rows_duplicate,
                result.rows_rejected,
                loaded_at,
                result.seconds,
            ],
        )
        pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
        if pause:
            print(f"ingest: pausing before commit of {file.path}", file=sys.stderr, flush=True)
            time.sleep(pause)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        with contextlib.suppress(duckdb.Error):  # not registered: the parquet path uses a temp table
            con.unregister("_ingest_input")
        con.execute("drop table if exists _ingest_stage")
        con.execute("drop table if exists _ingest_input")
    return result


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
    """
    from tqdm import tqdm

    started = time.monotonic()
    landing_url = str(landing) if landing is not None else landing_root()
    mappings = select_mappings(load_mappings(mappings_dir), sources, targets)
    files = list_landing_files(landing_url, mappings)
    target_path = Path(warehouse) if warehouse is not None else warehouse_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    summary = IngestSummary()
    con = duckdb.connect(str(target_path))
    try:
        con.execute("set TimeZone = 'UTC'")  # timestamps without an offset are UTC
        ensure_raw_schema(con)
        known, versions = _known_files(con)
        fs = None
        for file in tqdm(files, desc="ingest", unit="file", file=sys.stderr, disable=not progress):
            if fs is None:
                fs, _ = fsspec.core.url_to_fs(landing_url)
            data = fs.cat_file(file.url)
            digest = hashlib.sha256(data).hexdigest()
            if (file.source, file.path, digest) in known:
                summary.files.append(
                    FileResult(file.source, file.mapping.name, file.mapping.target, file.path, "skipped")
                )
                continue
            version = versions.get((file.source, file.path), 0) + 1
            try:
                result = load_file(con, file, data, digest, version)
            except (duckdb.Error, ValueError, OSError, pa.ArrowException) as error:
                result = FileResult(
                    file.source,
                    file.mapping.name,
                    file.mapping.target,
                    file.path,
                    "failed",
                    version,
                    error=f"{type(error).__name__}: {error}",
                )
            else:
                known.add((file.source, file.path, digest))
                versions[(file.source, file.path)] = version
            summary.files.append(result)
    finally:
        con.close()
    summary.seconds = time.monotonic() - started
    return summary


__all__ = [
    "IngestError",
    "IngestSummary",
    "FileResult",
    "LandingFile",
    "ingest",
    "list_landing_files",
    "Reject",
]
