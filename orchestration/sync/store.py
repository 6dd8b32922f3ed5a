"""The sync's state in the warehouse (schema `sync`, owned by Pulse like `raw`, not by dbt).

- `sync.fingerprints`: per destination and CRM record, the values last sent successfully and their
  fingerprint. A record is sent again only when its mapped values' fingerprint differs.
- `sync.pending`: records of a batch being sent, committed before the request and removed with the batch's
  result. Rows left behind by a run that was killed (or whose request ended without an answer) are in doubt:
  the next run reads those records back from the CRM and confirms the ones the CRM already has instead of
  sending them twice.
- `sync.runs` and `sync.record_outcomes`: every run, and every record's outcome in it (sent, confirmed,
  unchanged, failed with its error, no_crm_id, crm_edited), for the Sync page and for audit.
- `sync.crm_edits`: values of Pulse's fields changed on the CRM side, seen in the CRM's own Account export
  (raw.crm_accounts) after Pulse's last sync of the record; each edit once.
"""

from __future__ import annotations

import duckdb

SYNC_DDL = """
create schema if not exists sync;

create table if not exists sync.runs (
    run_id varchar not null,
    destination varchar not null,
    destination_type varchar not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,          -- running | succeeded | partial | failed | held | interrupted
    as_of_date date,                  -- the payload's as-of date
    target varchar,                   -- the file written, or the CRM's base URL
    records bigint,                   -- accounts in the payload
    changed bigint,                   -- records whose values changed since the last successful sync
    sent bigint,
    confirmed bigint,                 -- in doubt after an interrupted run, found already in the CRM
    unchanged bigint,
    failed bigint,
    no_crm_id bigint,
    error varchar
);

create table if not exists sync.record_outcomes (
    run_id varchar not null,
    destination varchar not null,
    record_id varchar,                -- the CRM record id (null for accounts without one)
    account_id varchar not null,
    outcome varchar not null,         -- sent | confirmed | unchanged | failed | no_crm_id | crm_edited
    error varchar,
    changes varchar,                  -- what was sent: field: old -> new; ...
    recorded_at timestamp not null
);

create table if not exists sync.fingerprints (
    destination varchar not null,
    record_id varchar not null,
    account_id varchar not null,
    fingerprint varchar not null,
    field_values varchar not null,    -- JSON object: CRM field -> value sent
    synced_at timestamp not null,
    run_id varchar not null
);

create table if not exists sync.crm_edits (
    destination varchar not null,
    record_id varchar not null,
    account_id varchar not null,
    field varchar not null,
    synced_value varchar,             -- what Pulse sent (JSON)
    crm_value varchar,                -- what the CRM export has
    crm_modified_at timestamp not null,
    seen_at timestamp not null,
    run_id varchar not null
);

create table if not exists sync.pending (
    destination varchar not null,
    run_id varchar not null,
    batch bigint not null,
    record_id varchar not null,
    account_id varchar not null,
    fingerprint varchar not null,
    field_values varchar not null,
    changes varchar,
    target varchar,                   -- the file being written, or the CRM's base URL
    created_at timestamp not null
);
"""

TABLES = ("runs", "record_outcomes", "fingerprints", "crm_edits", "pending")


def ensure_sync_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SYNC_DDL)


def has_sync_schema(con: duckdb.DuckDBPyConnection) -> bool:
    count = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'sync' and table_name = 'fingerprints'"
    ).fetchone()[0]
    return bool(count)
