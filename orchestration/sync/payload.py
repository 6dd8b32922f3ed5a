"""The payload of one destination: the mart's rows mapped to CRM fields, fingerprinted and diffed against the
values last sent successfully to that destination."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from orchestration.sync.config import PAYLOAD_MODEL, Destination
from orchestration.sync.store import has_sync_schema

PAYLOAD_TABLE = f"marts.{PAYLOAD_MODEL}"
NOT_SYNCED = "(not synced)"


class PayloadError(RuntimeError):
    """The payload mart is missing or empty."""


def _json_value(value: Any) -> Any:
    """A JSON-able value: dates as ISO text, integral doubles kept as doubles, NaN as null."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def fingerprint(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Record:
    account_id: str
    record_id: str | None
    account_name: str | None
    values: dict[str, Any]  # CRM field -> JSON value (None clears the field)
    fingerprint: str = ""
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, old, new)
    error: str | None = None  # why it cannot be sent (e.g. a CRM id used by another account)

    def changes_text(self) -> str:
        return "; ".join(f"{name}: {show(old)} -> {show(new)}" for name, old, new in self.changes)


def show(value: Any) -> str:
    if value is None:
        return "(empty)"
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class Plan:
    destination: Destination
    as_of_date: date | None
    records: int
    changed: list[Record]
    unchanged: list[Record]
    no_crm_id: list[Record]
    duplicates: list[Record]


def read_payload(
    con: duckdb.DuckDBPyConnection, destination: Destination
) -> tuple[date | None, list[Record]]:
    """Every account of the payload mart, mapped to the destination's fields (sorted by account)."""
    try:
        relation = con.execute(f"select * from {PAYLOAD_TABLE} order by account_id")
    except duckdb.CatalogException as error:
        raise PayloadError(
            f"{PAYLOAD_TABLE} does not exist: build the warehouse first (`pulse run`)"
        ) from error
    names = [column[0] for column in relation.description]
    rows = relation.fetchall()
    records, as_of = [], None
    for row in rows:
        data = dict(zip(names, row, strict=True))
        as_of = data.get("as_of_date") or as_of
        values = {crm_field: _json_value(data[column]) for crm_field, column in destination.fields}
        record_id = data[destination.record_id]
        record_id = str(record_id).strip() if record_id is not None and str(record_id).strip() else None
        record = Record(data["account_id"], record_id, data.get("account_name"), values)
        record.fingerprint = fingerprint(values)
        records.append(record)
    return as_of, records


def synced_values(con: duckdb.DuckDBPyConnection, destination: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """record id -> (fingerprint, values) last sent successfully to the destination."""
    if not has_sync_schema(con):
        return {}
    rows = con.execute(
        "select record_id, fingerprint, field_values from sync.fingerprints where destination = ?",
        [destination],
    ).fetchall()
    return {record_id: (print_, json.loads(values)) for record_id, print_, values in rows}


def plan(con: duckdb.DuckDBPyConnection, destination: Destination) -> Plan:
    """What a sync would do: records changed since the last successful sync, unchanged ones, and accounts
    without a CRM id (or sharing one with another account) that cannot be sent."""
    as_of, records = read_payload(con, destination)
    previous = synced_values(con, destination.name)
    changed, unchanged, no_id, duplicates = [], [], [], []
    owners: dict[str, str] = {}
    for record in records:
        if record.record_id is None:
            no_id.append(record)
            continue
        if record.record_id in owners:
            record.error = (
                f"CRM id {record.record_id} is also the id of account {owners[record.record_id]}; not sent"
            )
            duplicates.append(record)
            continue
        owners[record.record_id] = record.account_id
        old_print, old_values = previous.get(record.record_id, (None, {}))
        if old_print == record.fingerprint:
            unchanged.append(record)
            continue
        for name, new in record.values.items():
            old = old_values.get(name, NOT_SYNCED) if old_print else NOT_SYNCED
            if old != new:
                record.changes.append((name, old, new))
        changed.append(record)
    return Plan(destination, as_of, len(records), changed, unchanged, no_id, duplicates)


def diff_lines(plan: Plan) -> list[str]:
    """The dry run's diff: one line per record and field that would change (record, field, old, new)."""
    lines = []
    for record in plan.changed:
        label = f"{record.record_id} ({record.account_id}" + (
            f", {record.account_name})" if record.account_name else ")"
        )
        for name, old, new in record.changes:
            lines.append(f"  {label}  {name}: {show(old) if old != NOT_SYNCED else old} -> {show(new)}")
    return lines
