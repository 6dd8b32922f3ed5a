"""Hand-written raw rows for the staging and quality tests.

Ingestion is built separately, so these tests create the raw schema with `ensure_raw_schema` and insert a
few rows shaped like what the Segment / Zendesk / Salesforce mappings write, each chosen to pin one rule of
the staging layer (ticket versions, account version chaining, duplicate snapshot rows, ...).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.warehouse import ensure_raw_schema

LOADED_AT = datetime(2026, 3, 10, 6, 0, 0)


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert dict rows into raw.<table>, filling lineage columns the test does not care about."""
    for line, row in enumerate(rows, start=1):
        values = dict(row)
        if table not in ("loaded_files", "rejects"):
            values.setdefault("_source", "fixture")
            values.setdefault("_file_id", "f-fixture")
            values.setdefault("_line", line)
            values.setdefault("_loaded_at", LOADED_AT)
        for key in ("properties", "traits", "attributes"):
            if isinstance(values.get(key), dict):
                values[key] = json.dumps(values[key])
        columns = ", ".join(values)
        params = ", ".join("?" for _ in values)
        con.execute(f"insert into raw.{table} ({columns}) values ({params})", list(values.values()))


def app_events() -> list[dict[str, Any]]:
    return [
        # Track calls: U000001-0002 never sends identify, A000002 never sends group.
        {
            "message_id": "m-t1",
            "event_type": "track",
            "event_name": "Report Viewed",
            "account_id": "A000001",
            "user_id": "U000001-0001",
            "module": "Reports",
            "event_at": ts("2026-03-02 14:03:11.123"),
            "duration_seconds": 42.0,
            "properties": {"report": "weekly"},
        },
        {
            "message_id": "m-t2",
            "event_type": "track",
            "event_name": "Dashboard Opened",
            "account_id": "A000001",
            "user_id": "U000001-0002",
            "module": "Dashboards",
            "event_at": ts("2026-03-03 09:00:00"),
        },
        {
            "message_id": "m-t3",
            "event_type": "track",
            "event_name": "Report Viewed",
            "account_id": "A000002",
            "user_id": "U000002-0001",
            "module": "Reports",
            "event_at": ts("2026-03-04 23:59:59"),
        },
        # Two identify calls for U000001-0001: the later one wins.
        {
            "message_id": "m-i1",
            "event_type": "identify",
            "account_id": "A000001",
            "user_id": "U000001-0001",
            "event_at": ts("2026-03-01 08:00:00"),
            "traits": {"email": "old@acme.test", "name": "Ann Old", "role": "User"},
        },
        {
            "message_id": "m-i2",
            "event_type": "identify",
            "account_id": "A000001",
            "user_id": "U000001-0001",
            "event_at": ts("2026-03-05 08:00:00"),
            "traits": {"email": "ann@acme.test", "name": "Ann Admin", "role": "Admin"},
        },
        # Two group calls for A000001: the later one wins.
        {
            "message_id": "m-g1",
            "event_type": "group",
            "account_id": "A000001",
            "user_id": "U000001-0001",
            "event_at": ts("2026-02-28 10:00:00"),
            "traits": {"name": "Acme Old", "plan": "starter"},
        },
        {
            "message_id": "m-g2",
            "event_type": "group",
            "account_id": "A000001",
            "user_id": "U000001-0001",
            "event_at": ts("2026-03-06 10:00:00"),
            "traits": {"name": "Acme", "plan": "professional"},
        },
    ]


def helpdesk_tickets() -> list[dict[str, Any]]:
    base = {
        "account_id": "A000001",
        "requester_id": "U000001-0001",
        "priority": "normal",
        "ticket_type": "question",
        "subject": "Cannot export",
    }
    return [
        # Zendesk ticket 101: three versions, solved_at present in the export on the last one.
        {
            **base,
            "ticket_id": "101",
            "status": "new",
            "created_at": ts("2026-03-01 08:00:00"),
            "updated_at": ts("2026-03-01 08:00:00"),
            "satisfaction_rating": "unoffered",
        },
        {
            **base,
            "ticket_id": "101",
            "status": "open",
            "priority": "high",
            "created_at": ts("2026-03-01 08:00:00"),
            "updated_at": ts("2026-03-02 10:00:00"),
            "satisfaction_rating": "unoffered",
        },
        {
            **base,
            "ticket_id": "101",
            "status": "solved",
            "priority": "high",
            "created_at": ts("2026-03-01 08:00:00"),
            "updated_at": ts("2026-03-03 12:00:00"),
            "solved_at": ts("2026-03-03 11:30:00"),
            "satisfaction_rating": "good",
        },
        # Mapped log ticket 202: no created_at / solved_at, capitalised statuses.
        {
            **base,
            "ticket_id": "202",
            "status": "Open",
            "updated_at": ts("2026-03-01 09:00:00"),
            "_source": "bpi2013",
        },
        {
            **base,
            "ticket_id": "202",
            "status": "Resolved",
            "updated_at": ts("2026-03-02 09:00:00"),
            "_source": "bpi2013",
        },
        {
            **base,
            "ticket_id": "202",
            "status": "Closed",
            "updated_at": ts("2026-03-04 09:00:00"),
            "_source": "bpi2013",
        },
        # Ticket 303: still pending.
        {
            **base,
            "ticket_id": "303",
            "account_id": "A000002",
            "status": "pending",
            "created_at": ts("2026-03-05 08:00:00"),
            "updated_at": ts("2026-03-05 08:30:00"),
        },
    ]


SF_ACME = "0015g00000AbCdEAAZ"
SF_ACME_CHILD = "0015g00000AbCdFAAZ"


def crm_accounts() -> list[dict[str, Any]]:
    acme_v1 = {
        "sf_id": SF_ACME,
        "app_account_id": "A000001",
        "account_name": "Acme",
        "status": "Trial",
        "tier": "Starter",
        "contract_value": 0.0,
        "licenses": 5,
        "success_manager": "Sam CSM",
        "company_size": "51-200",
        "industry": "Retail",
        "journey_stage": "Onboarding",
        "journey_stage_date": date(2026, 2, 1),
        "csm_sentiment": "None",
        "created_at": ts("2026-02-01 00:00:00"),
        "last_modified_at": ts("2026-02-01 00:00:00"),
    }
    acme_v2 = {
        **acme_v1,
        "status": "Paying",
        "tier": "Professional",
        "contract_value": 12000.0,
        "licenses": 20,
        "contract_start_date": date(2026, 3, 1),
        "renewal_date": date(2027, 3, 1),
        "last_modified_at": ts("2026-03-01 00:00:00"),
    }
    child = {
        "sf_id": SF_ACME_CHILD,
        "app_account_id": "A000002",
        "account_name": "Acme EU",
        "parent_sf_id": SF_ACME,
        "status": "Free",
        "tier": "Starter",
        "company_size": "1-50",
        "journey_stage": "Adoption",
        "csm_sentiment": "Low",
        "created_at": ts("2026-02-15 00:00:00"),
        "last_modified_at": ts("2026-02-15 00:00:00"),
    }
    return [
        # February export: Acme v1 and the child.
        {**acme_v1, "_file_id": "f-account-02", "_loaded_at": ts("2026-02-28 06:00:00")},
        {**child, "_file_id": "f-account-02", "_loaded_at": ts("2026-02-28 06:00:00")},
        # March export: Acme v2, the unchanged child again (a duplicate version).
        {**acme_v2, "_file_id": "f-account-03", "_loaded_at": ts("2026-03-10 06:00:00")},
        {**child, "_file_id": "f-account-03", "_loaded_at": ts("2026-03-10 06:00:00")},
        # A re-sent February file copy of Acme v1 (same sf_id + last_modified_at, third file).
        {**acme_v1, "_file_id": "f-account-02b", "_loaded_at": ts("2026-03-11 06:00:00")},
    ]


def crm_contacts() -> list[dict[str, Any]]:
    c1 = {
        "sf_id": "0035g00000XyZaAAAA",
        "account_sf_id": SF_ACME,
        "app_user_id": "U000001-0001",
        "first_name": "Ann",
        "last_name": "Admin",
        "email": "ann@acme.test",
        "title": "Analyst",
        "contact_role": "User",
        "created_at": ts("2026-02-01 00:00:00"),
        "last_modified_at": ts("2026-02-01 00:00:00"),
    }
    return [
        c1,
        {
            **c1,
            "title": "Head of Data",
            "contact_role": "Champion",
            "last_modified_at": ts("2026-03-01 00:00:00"),
        },
        {
            "sf_id": "0035g00000XyZbAAAA",
            "account_sf_id": SF_ACME_CHILD,
            "first_name": "Bo",
            "last_name": "Exec",
            "contact_role": "Executive Sponsor",
            "created_at": ts("2026-02-15 00:00:00"),
            "last_modified_at": ts("2026-02-15 00:00:00"),
        },
    ]


def crm_activities() -> list[dict[str, Any]]:
    k1 = {
        "sf_id": "00T5g00000QrStAAAA",
        "account_sf_id": SF_ACME,
        "contact_sf_id": "0035g00000XyZaAAAA",
        "activity_type": "Call",
        "subject": "Kickoff",
        "activity_date": date(2026, 2, 3),
        "owner_name": "Sam CSM",
        "status": "Not Started",
        "created_at": ts("2026-02-01 00:00:00"),
        "last_modified_at": ts("2026-02-01 00:00:00"),
    }
    return [
        k1,
        {**k1, "status": "Completed", "last_modified_at": ts("2026-02-03 17:00:00")},
        # The same completed version again in a later full export.
        {**k1, "status": "Completed", "last_modified_at": ts("2026-02-03 17:00:00"), "_file_id": "f-task-03"},
        {
            "sf_id": "00T5g00000QrSuAAAA",
            "account_sf_id": SF_ACME_CHILD,
            "activity_type": "QBR",
            "subject": "Q1 review",
            "activity_date": date(2026, 3, 4),
            "owner_name": "Sam CSM",
            "status": "Completed",
            "created_at": ts("2026-03-01 00:00:00"),
            "last_modified_at": ts("2026-03-04 00:00:00"),
        },
    ]


def subscriptions() -> list[dict[str, Any]]:
    """A trial converted to an annual contract (A000001), and a monthly line that was cancelled (A000002)."""
    trial = {
        "subscription_id": "sub_acme",
        "account_id": "A000001",
        "product": "Professional",
        "start_date": date(2026, 1, 15),
        "period_end_date": date(2026, 1, 29),
        "amount": 1200.0,
        "quantity": 10.0,
        "billing_period": "year",
        "status": "trialing",
        "currency": "usd",
        "trial_end_date": date(2026, 1, 29),
    }
    return [
        trial,
        {**trial, "start_date": date(2026, 1, 29), "period_end_date": date(2027, 1, 29), "status": "active"},
        {
            "subscription_id": "sub_beta",
            "account_id": "A000002",
            "product": "Starter",
            "start_date": date(2026, 2, 1),
            "end_date": date(2026, 3, 1),
            "period_end_date": date(2026, 3, 1),
            "mrr": 50.0,
            "quantity": 2.0,
            "billing_period": "1",
            "status": "canceled",
            "canceled_at": ts("2026-02-20 10:00:00"),
        },
    ]


def loaded_files(rejected: Mapping[str, tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """One manifest row per fixture file; `rejected` maps file_id -> (rows_read, rows_rejected)."""
    files = {
        "f-fixture": (20, 0),
        "f-account-02": (2, 0),
        "f-account-03": (2, 0),
        "f-account-02b": (1, 0),
        "f-task-03": (3, 0),
    }
    files.update(rejected or {})
    return [
        {
            "file_id": file_id,
            "source": "fixture",
            "mapping": "fixture",
            "target": "app_events",
            "path": f"landing/fixture/{file_id}.csv",
            "size_bytes": 100,
            "content_hash": f"h-{file_id}",
            "version": 1,
            "rows_read": read,
            "rows_loaded": read - bad,
            "rows_duplicate": 0,
            "rows_rejected": bad,
            "loaded_at": LOADED_AT,
            "duration_seconds": 0.1,
        }
        for file_id, (read, bad) in files.items()
    ]


def build_fixture_warehouse(path: Path) -> Path:
    """A DuckDB file with the raw schema and the good fixture rows above."""
    con = duckdb.connect(str(path))
    try:
        ensure_raw_schema(con)
        insert_rows(con, "app_events", app_events())
        insert_rows(con, "helpdesk_tickets", helpdesk_tickets())
        insert_rows(con, "crm_accounts", crm_accounts())
        insert_rows(con, "crm_contacts", crm_contacts())
        insert_rows(con, "crm_activities", crm_activities())
        insert_rows(con, "subscriptions", subscriptions())
        insert_rows(con, "loaded_files", loaded_files())
    finally:
        con.close()
    return path
