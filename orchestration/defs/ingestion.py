"""Ingestion as Dagster assets: one asset per raw table (CRM as one multi-asset), and a landing-files sensor.

Each asset loads every mapping whose target is its table, in its own DuckDB connection (one writer at a time).
"""

import hashlib
import io
import json
from collections.abc import Iterator

import dagster as dg
from dagster import AssetExecutionContext, SensorEvaluationContext

from orchestration.ingest.loader import IngestSummary, file_id, ingest, list_landing_files
from orchestration.ingest.mapping import load_mappings
from orchestration.warehouse import landing_root, warehouse_path

GROUP = "ingestion"
CRM_TABLES = ("crm_accounts", "crm_contacts", "crm_activities")


def _run(context: AssetExecutionContext, targets: tuple[str, ...]) -> IngestSummary:
    landing = landing_root()
    summary = ingest(landing, warehouse_path(), targets=targets)
    context.log.info(f"ingest {', '.join(targets)} from {landing}:\n{summary.format()}")
    if summary.failures:
        failed = "; ".join(f"{f.path}: {f.error}" for f in summary.failures)
        raise dg.Failure(description=f"{len(summary.failures)} file(s) rolled back: {failed}")
    return summary


def _metadata(summary: IngestSummary, table: str) -> dict[str, dg.MetadataValue]:
    totals = summary.totals([table])
    return {
        "files_loaded": dg.MetadataValue.int(totals["files_loaded"]),
        "files_skipped": dg.MetadataValue.int(totals["files_skipped"]),
        "rows_loaded": dg.MetadataValue.int(totals["rows_loaded"]),
        "rows_rejected": dg.MetadataValue.int(totals["rows_rejected"]),
        "rows_duplicate": dg.MetadataValue.int(totals["rows_duplicate"]),
        "mappings": dg.MetadataValue.text(
            ", ".join(sorted({f.mapping for f in summary.files if f.target == table})) or "-"
        ),
    }


@dg.asset(
    key=["raw", "app_events"],
    group_name=GROUP,
    kinds={"duckdb"},
    description="Product usage events (Segment, Totango sdr, Sparkify, ...) deduplicated by message id.",
)
def raw_app_events(context: AssetExecutionContext) -> dg.MaterializeResult:
    summary = _run(context, ("app_events",))
    return dg.MaterializeResult(metadata=_metadata(summary, "app_events"))


@dg.asset(
    key=["raw", "helpdesk_tickets"],
    group_name=GROUP,
    kinds={"duckdb"},
    description="Helpdesk ticket versions (Zendesk exports, BPI 2013 incident log, ...).",
)
def raw_helpdesk_tickets(context: AssetExecutionContext) -> dg.MaterializeResult:
    summary = _run(context, ("helpdesk_tickets",))
    return dg.MaterializeResult(metadata=_metadata(summary, "helpdesk_tickets"))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", table], group_name=GROUP, kinds={"duckdb"}, description=f"CRM export rows: {table}."
        )
        for table in CRM_TABLES
    ],
    name="raw_crm",
)
def raw_crm(context: AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
    summary = _run(context, CRM_TABLES)
    for table in CRM_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=_metadata(summary, table))


@dg.asset(
    key=["raw", "subscriptions"],
    group_name=GROUP,
    kinds={"duckdb"},
    description="Subscription / contract line versions (Stripe-style billing exports, ChurnSim, ...).",
)
def raw_subscriptions(context: AssetExecutionContext) -> dg.MaterializeResult:
    summary = _run(context, ("subscriptions",))
    return dg.MaterializeResult(metadata=_metadata(summary, "subscriptions"))


INGESTION_ASSETS = [raw_app_events, raw_helpdesk_tickets, raw_crm, raw_subscriptions]


def _loaded_file_ids() -> set[str] | None:
    """file_ids already in raw.loaded_files; None when the warehouse is busy (another process writes)."""
    import duckdb

    from orchestration.warehouse_lock import reading

    path = warehouse_path()
    if not path.exists():
        return set()
    with reading(path, out=io.StringIO()) as readable:
        if readable != path:
            return None  # a build holds it: ask again at the next tick
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return None
        return _file_ids(con)


def _file_ids(con: "duckdb.DuckDBPyConnection") -> set[str]:  # noqa: F821
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name = 'loaded_files'"
        ).fetchone()[0]
        if not exists:
            return set()
        return {row[0] for row in con.execute("select file_id from raw.loaded_files").fetchall()}
    finally:
        con.close()


@dg.sensor(
    name="landing_files_sensor",
    target=INGESTION_ASSETS,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests an ingestion run when a new or changed file lands in a mapped landing folder.",
)
def landing_files_sensor(context: SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Cursor: {path: "size:mtime"} of every file known to be loaded. Other files are hashed and compared with
    raw.loaded_files, so a file already loaded (e.g. by `pulse ingest`) does not trigger a run."""
    import fsspec

    landing = landing_root()
    files = list_landing_files(landing, load_mappings())
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = {f.path: f"{f.size}:{f.mtime}" for f in files}
    changed = [f for f in files if seen.get(f.path) != current[f.path]]
    if not changed:
        return dg.SkipReason(f"no new files among {len(files)} landing files")
    loaded = _loaded_file_ids()
    if loaded is None:
        return dg.SkipReason("warehouse is busy (another process holds the write lock); will look again")
    fs, _ = fsspec.core.url_to_fs(landing)
    new: list[str] = []
    for file in changed:
        digest = hashlib.sha256(fs.cat_file(file.url)).hexdigest()
        if file_id(file.source, file.path, digest) not in loaded:
            new.append(f"{file.path}@{digest}")
    # new files stay out of the cursor until they are loaded: the next tick asks again with the same run_key
    # (Dagster launches a run_key once), so a file is never forgotten between the request and the load
    pending = {entry.split("@", 1)[0] for entry in new}
    cursor = json.dumps({p: sig for p, sig in current.items() if p not in pending}, sort_keys=True)
    if not new:
        return dg.SensorResult(skip_reason=dg.SkipReason("changed files are already loaded"), cursor=cursor)
    run_key = hashlib.sha256("\n".join(sorted(new)).encode()).hexdigest()[:32]
    context.log.info(f"{len(new)} new landing file(s): {', '.join(sorted(new)[:10])}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={"pulse/new_files": str(len(new))})], cursor=cursor
    )


defs = dg.Definitions(assets=INGESTION_ASSETS, sensors=[landing_files_sensor])
