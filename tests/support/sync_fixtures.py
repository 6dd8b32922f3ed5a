"""A small warehouse holding the CRM sync's payload mart (marts.crm_account_sync, its contract's columns) and
a released day, for the sync tests (no dbt needed); and destination files for tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml

from orchestration.release import BrakeSettings, evaluate_brake
from orchestration.sync.config import PAYLOAD_CONTRACT, PAYLOAD_MODEL, load_destination, payload_contract

AS_OF = dt.date(2026, 3, 1)
TAGS = ["Established;Green", "Onboarding;Yellow", "Established;Expansion;Red", None]


def crm_id(number: int) -> str:
    return f"001LOCAL{number:010d}"


def payload_rows(accounts: int, without_crm_id: int = 0) -> list[dict]:
    rows = []
    for number in range(1, accounts + 1):
        rank = ("Good", "Average", "Poor")[number % 3]
        rows.append(
            {
                "account_id": f"A{number:06d}",
                "crm_account_id": None if number > accounts - without_crm_id else crm_id(number),
                "account_name": f"Account {number} & Sons",
                "insights_tags": TAGS[number % len(TAGS)],
                "lifecycle_status": f"Core Lifecycle-{rank}",
                "health_rank": rank,
                "health_reason": f"Active {number % 7} of the last 7 days",
                "health_score": {"Good": 100.0, "Average": 60.0, "Poor": 0.0}[rank],
                "engagement_score": float(number % 101),
                "usage_frequency": ("Daily", "Weekly", "Occasionally", "Inactive")[number % 4],
                "active_users_30d": number % 40,
                "churn_risk": None if number % 5 == 0 else round((number % 97) / 97, 3),
                "churn_risk_decile": None if number % 5 == 0 else number % 10 + 1,
                "health_changed_on": AS_OF - dt.timedelta(days=number % 60),
                "as_of_date": AS_OF,
            }
        )
    return rows


def build_payload_warehouse(
    path: Path, accounts: int = 30, without_crm_id: int = 0, released: bool = True
) -> Path:
    """marts.crm_account_sync with `accounts` rows (the last `without_crm_id` without a CRM id), and the as-of
    date released by the brake (a one-day health mart, so the release is decided the usual way)."""
    columns = payload_contract()
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            f"create or replace table marts.{PAYLOAD_MODEL} ("
            + ", ".join(f"{name} {kind}" for name, kind in columns)
            + ")"
        )
        write_payload(con, payload_rows(accounts, without_crm_id))
        con.execute(
            "create or replace table marts.fct_account_health_daily "
            "(account_id varchar, as_of_date date, health_rank varchar)"
        )
        con.execute(
            "insert into marts.fct_account_health_daily select account_id, as_of_date, health_rank "
            f"from marts.{PAYLOAD_MODEL}"
        )
        if released:
            evaluate_brake(con, BrakeSettings(max_moved_share=0.3, min_accounts=10))
    finally:
        con.close()
    return path


def write_payload(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    names = [name for name, _ in payload_contract()]
    payload = pa.table({name: [row[name] for row in rows] for name in names})  # noqa: F841 - read by DuckDB
    con.execute(f"delete from marts.{PAYLOAD_MODEL}")
    con.execute(
        f"insert into marts.{PAYLOAD_MODEL} ({', '.join(names)}) select {', '.join(names)} from payload"
    )


def destination_file(tmp_path: Path, kind: str, **overrides: object) -> Path:
    """A copy of the shipped destination file of `kind` with quick retries, changed by `overrides`."""
    shipped = Path(PAYLOAD_CONTRACT).parents[3] / "orchestration" / "sync" / "destinations" / f"{kind}.yml"
    document = yaml.safe_load(shipped.read_text())
    if kind != "dataloader":
        document.update(timeout_seconds=2, retries=4, backoff_seconds=0.01, max_wait_seconds=5)
    document.update(overrides)
    target = tmp_path / f"{document.get('name', kind)}.yml"
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    return target


def destination(tmp_path: Path, kind: str, **overrides: object):
    return load_destination(destination_file(tmp_path, kind, **overrides))
