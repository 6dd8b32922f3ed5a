"""One sync of one destination: plan (what changed since the last successful sync), confirm what an
interrupted run left in doubt, send in batches, and record every run and record outcome in the warehouse.

Trust rules, in the order they happen:
- The payload's as-of date must be released by the brake (`released_day`); a held day is not synced.
- A batch's records go to `sync.pending` (committed) before the request; the server's answer is committed
  right after it (fingerprints of the records it accepted, outcomes of all), and the batch leaves `pending`.
  A record the CRM rejected keeps its old fingerprint, so the next run sends it again.
- Records left in `pending` (a killed run, or a request that ended without an answer) are read back from the
  CRM by the next run before anything is sent: those the CRM already has are confirmed, not sent twice.
- Every message is redacted of the credentials before it is logged, raised or stored.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from orchestration import settings
from orchestration.sync.config import Destination
from orchestration.sync.credentials import Credentials, Redactor, credentials_for
from orchestration.sync.http import RequestFailed
from orchestration.sync.payload import PayloadError, Record, diff_lines, plan, show
from orchestration.sync.senders import Result, Sender, make_sender, now_utc
from orchestration.sync.store import ensure_sync_schema, has_sync_schema

SHOWN_FAILURES = 20


class SyncError(RuntimeError):
    """A sync could not run (not configured, warehouse not built, records in doubt not checkable)."""


@dataclass
class SyncSummary:
    destination: str
    status: str  # succeeded | partial | failed | held | dry_run
    run_id: str | None = None
    as_of_date: date | None = None
    target: str | None = None
    records: int = 0
    changed: int = 0
    sent: int = 0
    confirmed: int = 0
    unchanged: int = 0
    failed: int = 0
    no_crm_id: list[str] = field(default_factory=list)
    crm_edits: list[str] = field(default_factory=list)  # record: field: sent -> CRM value, seen this run
    failures: list[tuple[str | None, str, str]] = field(default_factory=list)  # (record, account, error)
    diff: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        head = f"{self.destination}: "
        if self.status == "held":
            return [head + (self.error or "held")]
        counts = (
            f"{self.records} accounts, {self.changed} changed"
            + (f": {self.sent} sent" if self.status != "dry_run" else " (dry run: nothing sent)")
            + (f", {self.confirmed} confirmed already in the CRM" if self.confirmed else "")
            + (f", {self.failed} failed" if self.failed else "")
            + f", {self.unchanged} unchanged"
        )
        lines = [head + counts + f" [{self.status}]" + (f" -> {self.target}" if self.target else "")]
        if self.crm_edits:
            lines.append(
                f"  {len(self.crm_edits)} records edited in the CRM since Pulse sent them (the CRM keeps "
                "them until Pulse's value changes):"
            )
            lines += [f"    {edit}" for edit in self.crm_edits[:SHOWN_FAILURES]]
        if self.no_crm_id:
            shown = ", ".join(self.no_crm_id[:10]) + (" ..." if len(self.no_crm_id) > 10 else "")
            lines.append(f"  {len(self.no_crm_id)} accounts without a CRM id, not sent: {shown}")
        if self.error:
            lines.append(f"  error: {self.error}")
        for record_id, account_id, error in self.failures[:SHOWN_FAILURES]:
            lines.append(f"  failed {record_id or '-'} ({account_id}): {error}")
        if len(self.failures) > SHOWN_FAILURES:
            lines.append(
                f"  ... and {len(self.failures) - SHOWN_FAILURES} more failures (sync.record_outcomes)"
            )
        return lines


def _chunks(records: list[Record], size: int) -> Iterator[list[Record]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: dict[str, list[Any]]) -> None:
    if not next(iter(rows.values())):
        return
    batch = pa.table(rows)  # noqa: F841 - read by DuckDB below
    columns = ", ".join(rows)
    con.execute(f"insert into {table} ({columns}) select {columns} from batch")


def _outcomes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    destination: str,
    records: list[Record],
    outcome: str,
    errors: list[str | None] | None = None,
    with_changes: bool = False,
) -> None:
    at = now_utc()
    _insert(
        con,
        "sync.record_outcomes",
        {
            "run_id": [run_id] * len(records),
            "destination": [destination] * len(records),
            "record_id": [record.record_id for record in records],
            "account_id": [record.account_id for record in records],
            "outcome": [outcome] * len(records),
            "error": errors if errors is not None else [None] * len(records),
            "changes": [record.changes_text() if with_changes else None for record in records],
            "recorded_at": [at] * len(records),
        },
    )


def _remember(
    con: duckdb.DuckDBPyConnection, run_id: str, destination: str, records: list[tuple[str, str, str, str]]
) -> None:
    """Record (record id, account id, fingerprint, values JSON) as synced to the destination."""
    if not records:
        return
    ids = pa.table({"record_id": [record[0] for record in records]})  # noqa: F841 - read by DuckDB below
    con.execute(
        "delete from sync.fingerprints where destination = ? and record_id in (select record_id from ids)",
        [destination],
    )
    at = now_utc()
    _insert(
        con,
        "sync.fingerprints",
        {
            "destination": [destination] * len(records),
            "record_id": [record[0] for record in records],
            "account_id": [record[1] for record in records],
            "fingerprint": [record[2] for record in records],
            "field_values": [record[3] for record in records],
            "synced_at": [at] * len(records),
            "run_id": [run_id] * len(records),
        },
    )


def _values_json(record: Record) -> str:
    return json.dumps(record.values, sort_keys=True, ensure_ascii=False, default=str)


def _normal(value: Any) -> str:
    """A value as the CRM may give it back: numbers as numbers, multi-select items in order, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return format(float(value), ".10g")
    text = str(value).strip()
    try:
        return format(float(text), ".10g")
    except ValueError:
        pass
    if ";" in text:
        return ";".join(sorted(part.strip() for part in text.split(";") if part.strip()))
    return text


def _same_values(expected: dict[str, Any], found: dict[str, Any] | None) -> bool:
    return found is not None and all(
        _normal(value) == _normal(found.get(name)) for name, value in expected.items()
    )


class _Run:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        destination: Destination,
        sender: Sender,
        redactor: Redactor,
        log: Callable[[str], None],
        summary: SyncSummary,
    ):
        self.con, self.destination, self.sender = con, destination, sender
        self.redactor, self.log, self.summary = redactor, log, summary
        self.run_id: str = summary.run_id  # type: ignore[assignment]

    def confirm_pending(self) -> int:
        """Read back what interrupted runs left in doubt; remember what the CRM has. Returns how many."""
        rows = self.con.execute(
            "select record_id, account_id, fingerprint, field_values, changes, target, run_id "
            "from sync.pending where destination = ? order by run_id, batch, record_id",
            [self.destination.name],
        ).fetchall()
        if not rows:
            return 0
        self.log(f"{self.destination.name}: checking {len(rows)} records left in doubt by an interrupted run")
        by_target: dict[str | None, list[tuple]] = {}
        for row in rows:
            by_target.setdefault(row[5], []).append(row)
        confirmed: list[tuple[str, str, str, str]] = []
        confirmed_records: list[Record] = []
        for target, group in by_target.items():
            for chunk_start in range(0, len(group), self.destination.batch_size):
                chunk = group[chunk_start : chunk_start + self.destination.batch_size]
                probes = [Record(row[1], row[0], None, json.loads(row[3])) for row in chunk]
                try:
                    found = self.sender.read(probes, target)
                except RequestFailed as error:
                    raise SyncError(
                        f"cannot check {len(rows)} records left in doubt by an interrupted run, so nothing "
                        f"was sent (sending them again could send them twice): {error}"
                    ) from None
                for row, probe in zip(chunk, probes, strict=True):
                    if _same_values(probe.values, found.get(row[0])):
                        confirmed.append((row[0], row[1], row[2], row[3]))
                        probe.changes = []
                        confirmed_records.append(probe)
        self.con.execute("begin")
        _remember(self.con, self.run_id, self.destination.name, confirmed)
        # The outcome keeps what the interrupted run sent.
        changes = {row[0]: row[4] for row in rows}
        at = now_utc()
        _insert(
            self.con,
            "sync.record_outcomes",
            {
                "run_id": [self.run_id] * len(confirmed_records),
                "destination": [self.destination.name] * len(confirmed_records),
                "record_id": [record.record_id for record in confirmed_records],
                "account_id": [record.account_id for record in confirmed_records],
                "outcome": ["confirmed"] * len(confirmed_records),
                "error": [None] * len(confirmed_records),
                "changes": [changes.get(record.record_id) for record in confirmed_records],
                "recorded_at": [at] * len(confirmed_records),
            },
        )
        self.con.execute("delete from sync.pending where destination = ?", [self.destination.name])
        self.con.execute("commit")
        return len(confirmed)

    def send(self, changed: list[Record]) -> None:
        name = self.destination.name
        size = self.destination.batch_size if self.destination.is_remote else max(1, len(changed))
        stopped: str | None = None
        for number, batch in enumerate(_chunks(changed, size)):
            if stopped is not None:
                error = f"not sent: the run stopped after {stopped}"
                _outcomes(
                    self.con, self.run_id, name, batch, "failed", [error] * len(batch), with_changes=True
                )
                self._failed(batch, [error] * len(batch))
                continue
            target = self.sender.target_for(self.run_id)
            created = now_utc()
            _insert(
                self.con,
                "sync.pending",
                {
                    "destination": [name] * len(batch),
                    "run_id": [self.run_id] * len(batch),
                    "batch": [number] * len(batch),
                    "record_id": [record.record_id for record in batch],
                    "account_id": [record.account_id for record in batch],
                    "fingerprint": [record.fingerprint for record in batch],
                    "field_values": [_values_json(record) for record in batch],
                    "changes": [record.changes_text() for record in batch],
                    "target": [target] * len(batch),
                    "created_at": [created] * len(batch),
                },
            )
            try:
                results = self.sender.send(batch, self.run_id)
            except RequestFailed as error:
                message = self.redactor.redact(error)
                self.log(f"{name}: batch {number + 1} failed: {message}")
                self.con.execute("begin")
                _outcomes(
                    self.con, self.run_id, name, batch, "failed", [message] * len(batch), with_changes=True
                )
                if not error.ambiguous:  # certainly not applied: nothing to check next time
                    self.con.execute(
                        "delete from sync.pending where run_id = ? and batch = ?", [self.run_id, number]
                    )
                self.con.execute("commit")
                self._failed(batch, [message] * len(batch))
                if error.stop:
                    stopped = message
                continue
            self._commit_batch(number, batch, results)

    def _commit_batch(self, number: int, batch: list[Record], results: list[Result]) -> None:
        name = self.destination.name
        by_id = {result.record_id: result for result in results}
        sent = [record for record in batch if by_id.get(record.record_id, Result("", False)).ok]
        failed = [record for record in batch if not by_id.get(record.record_id, Result("", False)).ok]
        errors = [
            self.redactor.redact(by_id[record.record_id].error if record.record_id in by_id else "no result")
            for record in failed
        ]
        self.con.execute("begin")
        _remember(
            self.con,
            self.run_id,
            name,
            [
                (record.record_id, record.account_id, record.fingerprint, _values_json(record))
                for record in sent
            ],  # type: ignore[misc]
        )
        _outcomes(self.con, self.run_id, name, sent, "sent", with_changes=True)
        _outcomes(self.con, self.run_id, name, failed, "failed", errors, with_changes=True)  # type: ignore[arg-type]
        self.con.execute("delete from sync.pending where run_id = ? and batch = ?", [self.run_id, number])
        self.con.execute("commit")
        self.summary.sent += len(sent)
        self._failed(failed, errors)  # type: ignore[arg-type]

    def _failed(self, records: list[Record], errors: list[str]) -> None:
        self.summary.failed += len(records)
        self.summary.failures += [
            (record.record_id, record.account_id, error)
            for record, error in zip(records, errors, strict=True)
        ]


def _finish(con: duckdb.DuckDBPyConnection, summary: SyncSummary) -> None:
    con.execute(
        """
        update sync.runs set finished_at = ?, status = ?, as_of_date = ?, target = ?, records = ?,
            changed = ?, sent = ?, confirmed = ?, unchanged = ?, failed = ?, no_crm_id = ?, error = ?
        where run_id = ?
        """,
        [
            now_utc(),
            summary.status,
            summary.as_of_date,
            summary.target,
            summary.records,
            summary.changed,
            summary.sent,
            summary.confirmed,
            summary.unchanged,
            summary.failed,
            len(summary.no_crm_id),
            summary.error,
            summary.run_id,
        ],
    )


# Destinations writing Salesforce Account fields: the CRM's Account export (raw.crm_accounts, unmapped columns
# in `attributes`) brings those fields back.
READS_BACK = ("salesforce", "dataloader")


def crm_edits(con: duckdb.DuckDBPyConnection, destination: Destination) -> list[tuple]:
    """Pulse's fields whose value in the newest CRM export of a record, modified after Pulse synced it,
    differs from what Pulse sent: (record id, account id, field, sent, CRM value, CRM modified at)."""
    if destination.type not in READS_BACK or not has_sync_schema(con):
        return []
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'crm_accounts'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute(
        """
        with latest as (
            select sf_id, last_modified_at, attributes
            from raw.crm_accounts
            qualify row_number() over (partition by sf_id order by last_modified_at desc, _loaded_at desc) = 1
        )
        select f.record_id, f.account_id, f.field_values, cast(latest.attributes as varchar),
            latest.last_modified_at
        from sync.fingerprints as f
        inner join latest on f.record_id = latest.sf_id
        where f.destination = ? and latest.last_modified_at > f.synced_at and latest.attributes is not null
        order by f.record_id
        """,
        [destination.name],
    ).fetchall()
    edits = []
    for record_id, account_id, sent_json, attributes_json, modified_at in rows:
        sent, attributes = json.loads(sent_json), json.loads(attributes_json)
        if not isinstance(attributes, dict):
            continue
        for name in destination.field_names:
            if name in attributes and _normal(attributes[name]) != _normal(sent.get(name)):
                edits.append((record_id, account_id, name, sent.get(name), attributes[name], modified_at))
    return edits


def _record_crm_edits(con: duckdb.DuckDBPyConnection, destination: Destination, summary: SyncSummary) -> None:
    """New CRM-side edits (each edit once) into sync.crm_edits and the run's outcomes."""
    seen = {
        tuple(row)
        for row in con.execute(
            "select record_id, field, crm_modified_at from sync.crm_edits where destination = ?",
            [destination.name],
        ).fetchall()
    }
    new = [edit for edit in crm_edits(con, destination) if (edit[0], edit[2], edit[5]) not in seen]
    if not new:
        return
    at = now_utc()
    by_record: dict[tuple[str, str], list[str]] = {}
    for record_id, account_id, name, sent, crm_value, _ in new:
        by_record.setdefault((record_id, account_id), []).append(f"{name}: {show(sent)} -> {show(crm_value)}")
    _insert(
        con,
        "sync.crm_edits",
        {
            "destination": [destination.name] * len(new),
            "record_id": [edit[0] for edit in new],
            "account_id": [edit[1] for edit in new],
            "field": [edit[2] for edit in new],
            "synced_value": [json.dumps(edit[3], default=str) for edit in new],
            "crm_value": [json.dumps(edit[4], default=str) for edit in new],
            "crm_modified_at": [edit[5] for edit in new],
            "seen_at": [at] * len(new),
            "run_id": [summary.run_id] * len(new),
        },
    )
    _insert(
        con,
        "sync.record_outcomes",
        {
            "run_id": [summary.run_id] * len(by_record),
            "destination": [destination.name] * len(by_record),
            "record_id": [record_id for record_id, _ in by_record],
            "account_id": [account_id for _, account_id in by_record],
            "outcome": ["crm_edited"] * len(by_record),
            "error": [None] * len(by_record),
            "changes": ["; ".join(changes) for changes in by_record.values()],
            "recorded_at": [at] * len(by_record),
        },
    )
    summary.crm_edits = [
        f"{record_id} ({account_id}) {'; '.join(c)}" for (record_id, account_id), c in by_record.items()
    ]


def new_run_id() -> str:
    return f"{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def sync_destination(
    con: duckdb.DuckDBPyConnection,
    destination: Destination,
    *,
    released_day: date | None,
    dry_run: bool = False,
    credentials: Credentials | None = None,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    sync_dir: Path | None = None,
) -> SyncSummary:
    """Sync one destination (or, with dry_run, print what would change and touch nothing)."""
    started = time.monotonic()
    credentials = credentials if credentials is not None else credentials_for(destination.type)
    redactor = credentials.redactor()
    if destination.is_remote and not credentials.configured:
        raise SyncError(f"{destination.name} is not configured: set {', '.join(credentials.missing)}")
    try:
        current = plan(con, destination)
    except PayloadError as error:
        raise SyncError(str(error)) from None
    summary = SyncSummary(
        destination.name, "dry_run" if dry_run else "running", as_of_date=current.as_of_date
    )
    summary.records = current.records
    summary.no_crm_id = [record.account_id for record in current.no_crm_id]
    if current.as_of_date is not None and (released_day is None or current.as_of_date > released_day):
        summary.status = "held"
        summary.error = (
            f"not synced: the data of {current.as_of_date} is held by the brake on mass changes "
            f"(released through {released_day or 'nothing yet'}); "
            f"`pulse confirm {current.as_of_date}` releases it"
        )
        if not dry_run:
            _record_held(con, destination, summary)
        return summary
    if dry_run:
        summary.changed = len(current.changed)
        summary.unchanged = len(current.unchanged)
        summary.diff = diff_lines(current)
        summary.failures = [
            (record.record_id, record.account_id, record.error or "") for record in current.duplicates
        ]
        summary.failed = len(current.duplicates)
        if has_sync_schema(con):
            doubt = con.execute(
                "select count(*) from sync.pending where destination = ?", [destination.name]
            ).fetchone()[0]
            if doubt:
                summary.diff.append(
                    f"  ({doubt} records were left in doubt by an interrupted run: a real run first checks "
                    "them against the CRM and sends only those it does not have)"
                )
        summary.seconds = time.monotonic() - started
        return summary

    ensure_sync_schema(con)
    summary.run_id = new_run_id()
    sender = make_sender(
        destination,
        credentials,
        redactor,
        lambda text: log(redactor.redact(text)),
        sleep,
        sync_dir or settings.sync_dir(),
    )
    summary.target = sender.target
    con.execute(
        "update sync.runs set status = 'interrupted' where destination = ? and status = 'running'",
        [destination.name],
    )
    con.execute(
        "insert into sync.runs (run_id, destination, destination_type, started_at, status, as_of_date, "
        "target) values (?, ?, ?, ?, 'running', ?, ?)",
        [summary.run_id, destination.name, destination.type, now_utc(), current.as_of_date, sender.target],
    )
    run = _Run(con, destination, sender, redactor, lambda text: log(redactor.redact(text)), summary)
    try:
        _record_crm_edits(con, destination, summary)
        summary.confirmed = run.confirm_pending()
        if summary.confirmed:
            current = plan(con, destination)
        summary.changed = len(current.changed)
        summary.unchanged = len(current.unchanged)
        run.send(current.changed)
        if isinstance(sender.written_file(), Path):
            summary.target = str(sender.written_file())
        _outcomes(con, summary.run_id, destination.name, current.unchanged, "unchanged")
        _outcomes(con, summary.run_id, destination.name, current.no_crm_id, "no_crm_id")
        dup_errors = [record.error for record in current.duplicates]
        _outcomes(con, summary.run_id, destination.name, current.duplicates, "failed", dup_errors)
        run._failed(current.duplicates, dup_errors)  # type: ignore[arg-type]
        delivered = summary.sent + summary.confirmed
        summary.status = "succeeded" if not summary.failed else ("partial" if delivered else "failed")
    except Exception as error:
        summary.status = "failed"
        summary.error = redactor.redact(
            f"{error}" if isinstance(error, SyncError) else f"{type(error).__name__}: {error}"
        )
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        _finish(con, summary)
        raise SyncError(summary.error) from None
    finally:
        sender.close()
        summary.seconds = time.monotonic() - started
    _finish(con, summary)
    return summary


def _record_held(con: duckdb.DuckDBPyConnection, destination: Destination, summary: SyncSummary) -> None:
    ensure_sync_schema(con)
    summary.run_id = new_run_id()
    con.execute(
        "insert into sync.runs (run_id, destination, destination_type, started_at, finished_at, status, "
        "as_of_date, records, error) values (?, ?, ?, ?, ?, 'held', ?, ?, ?)",
        [
            summary.run_id,
            destination.name,
            destination.type,
            now_utc(),
            now_utc(),
            summary.as_of_date,
            summary.records,
            summary.error,
        ],
    )
