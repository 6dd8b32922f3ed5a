"""`make bench`'s CRM sync stage: 10,000 changed records synced to the local CRM server (Salesforce: 200 a
request; HubSpot: 100 a request; and the Data Loader file), in records per second, then a pass with nothing
changed (the diff alone)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb

from orchestration.sync.config import DESTINATIONS_DIR, PAYLOAD_MODEL, load_destination, payload_contract
from orchestration.sync.credentials import Credentials, Secret
from orchestration.sync.engine import sync_destination
from orchestration.sync.local_crm import LocalCrm

AS_OF = dt.date(2026, 11, 1)


def _payload(path: Path, records: int) -> None:
    import pyarrow as pa

    columns = payload_contract()
    ranks = ("Good", "Average", "Poor")
    data = {
        "account_id": [f"A{n:07d}" for n in range(records)],
        "crm_account_id": [f"001BENCH{n:010d}" for n in range(records)],
        "account_name": [f"Account {n}" for n in range(records)],
        "insights_tags": [("Established;Green", "Onboarding;Yellow", None)[n % 3] for n in range(records)],
        "lifecycle_status": [f"Core Lifecycle-{ranks[n % 3]}" for n in range(records)],
        "health_rank": [ranks[n % 3] for n in range(records)],
        "health_reason": [f"Active {n % 8} days in the last 7" for n in range(records)],
        "health_score": [float(n % 101) for n in range(records)],
        "engagement_score": [float(n % 97) for n in range(records)],
        "usage_frequency": [("Daily", "Weekly", "Occasionally", "Inactive")[n % 4] for n in range(records)],
        "active_users_30d": [n % 50 for n in range(records)],
        "churn_risk": [round((n % 89) / 89, 3) for n in range(records)],
        "churn_risk_decile": [n % 10 + 1 for n in range(records)],
        "health_changed_on": [AS_OF - dt.timedelta(days=n % 90) for n in range(records)],
        "as_of_date": [AS_OF] * records,
    }
    payload = pa.table({name: data[name] for name, _ in columns})  # noqa: F841 - read by DuckDB below
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            f"create or replace table marts.{PAYLOAD_MODEL} ("
            + ", ".join(f"{name} {kind}" for name, kind in columns)
            + ")"
        )
        con.execute(f"insert into marts.{PAYLOAD_MODEL} select * from payload")
    finally:
        con.close()


def bench_sync(out_dir: str, records: int = 10_000) -> dict:
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    result: dict = {"records": records}
    with LocalCrm() as crm:
        for kind in ("salesforce", "hubspot", "dataloader"):
            warehouse = root / f"sync-{kind}.duckdb"
            warehouse.unlink(missing_ok=True)
            _payload(warehouse, records)
            destination = load_destination(DESTINATIONS_DIR / f"{kind}.yml")
            credentials = {
                "salesforce": Credentials(
                    base_url=crm.url, client_id=crm.client_id, client_secret=Secret(crm.client_secret)
                ),
                "hubspot": Credentials(base_url=crm.url, access_token=Secret(crm.hubspot_token)),
                "dataloader": Credentials(),
            }[kind]
            con = duckdb.connect(str(warehouse))
            try:
                started = time.monotonic()
                first = sync_destination(
                    con,
                    destination,
                    released_day=AS_OF,
                    credentials=credentials,
                    log=lambda _: None,
                    sync_dir=root / "sync-files",
                )
                seconds = time.monotonic() - started
                started = time.monotonic()
                second = sync_destination(
                    con,
                    destination,
                    released_day=AS_OF,
                    credentials=credentials,
                    log=lambda _: None,
                    sync_dir=root / "sync-files",
                )
                unchanged_seconds = time.monotonic() - started
            finally:
                con.close()
            if first.sent != records or second.sent != 0:
                raise RuntimeError(f"{kind}: sent {first.sent} then {second.sent}, expected {records} then 0")
            result[f"{kind}_seconds"] = round(seconds, 2)
            result[f"{kind}_records_per_second"] = round(records / seconds)
            result[f"{kind}_unchanged_pass_seconds"] = round(unchanged_seconds, 2)
        result["requests"] = len(crm.updates())
    result["seconds"] = result["salesforce_seconds"]
    result["rows_per_second"] = result["salesforce_records_per_second"]
    return result
