"""A small warehouse for the digest tests: the report tests' marts fixture (tests/support/marts_fixtures.py)
with success managers renamed to those of the shipped seeds/follows.csv, a few rows of marts.fct_alerts (one
of them on the account named <script>alert(1)</script>) and AS_OF released by the brake. No dbt needed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orchestration.warehouse import RELEASE_DDL
from tests.support.marts_fixtures import AS_OF, SCRIPT_NAME, build_fixture_warehouse

# The fixture's success managers -> followed books of seeds/follows.csv.
MANAGERS = {"Dana Smith": "Priya Raman", "Lee O'Brien": "Jordan Lee"}
# (kind, account, days before AS_OF, subject, list, severity, title, reason)
ALERTS = [
    ("health_rank_changed", "A000002", 0, "Good -> Poor", None, "high", "Health Good -> Poor",
     "No use in 14 days <b>(Poor when > 14)</b>"),
    ("list_entered", "A000001", 0, "risk_red", "risk_red", "high", "Entered list risk_red",
     "CSM sentiment High (in High, Critical)"),
    ("new_paying_customer", "A000003", 0, "Paying", None, "medium", "New paying customer",
     "Became Paying on 2026-03-01"),
    # The day before: a list nobody follows, on an account without a success manager.
    ("list_left", "A000006", 1, "license_near_capacity", "license_near_capacity", "low",
     "Left list license_near_capacity", "License utilization 0.5 (needs >= 0.9)"),
]  # fmt: skip
# Who gets a digest of AS_OF, and how many items, with the shipped follows.
EXPECTED = {"priya.raman@example.com": 2, "jordan.lee@example.com": 1, "cs-leads@example.com": 2}


def build_digest_warehouse(path: Path) -> Path:
    build_fixture_warehouse(path)
    con = duckdb.connect(str(path))
    try:
        for old, new in MANAGERS.items():
            con.execute(
                "update marts.dim_accounts set success_manager = ? where success_manager = ?", [new, old]
            )
        con.execute(
            """
            create table marts.fct_alerts (
                alert_id varchar, alert_date date, alert_kind varchar, account_id varchar,
                account_name varchar, success_manager varchar, subject varchar, list varchar,
                severity varchar, title varchar, reason varchar
            )
            """
        )
        for kind, account, days_before, subject, list_name, severity, title, reason in ALERTS:
            day = AS_OF - dt.timedelta(days=days_before)
            con.execute(
                """
                insert into marts.fct_alerts
                select md5(? || '|' || ? || '|' || cast(?::date as varchar) || '|' || ?), ?::date, ?,
                       account_id, account_name, success_manager, ?, ?, ?, ?, ?
                from marts.dim_accounts where account_id = ?
                """,
                [
                    kind,
                    account,
                    day,
                    subject,
                    day,
                    kind,
                    subject,
                    list_name,
                    severity,
                    title,
                    reason,
                    account,
                ],
            )
        con.execute(RELEASE_DDL)
        con.execute(
            "insert into raw.release_events (event_at, as_of_date, event, summary, actor) "
            "values (now(), ?, 'released', 'fixture', 'build')",
            [AS_OF],
        )
        name = con.execute("select account_name from marts.dim_accounts where account_id = 'A000002'")
        assert name.fetchone()[0] == SCRIPT_NAME
    finally:
        con.close()
    return path
