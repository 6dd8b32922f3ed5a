"""The dbt staging layer, built for real by dbt on a DuckDB file holding hand-written raw rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.dbt_project import run_dbt
from tests.support.raw_fixtures import (
    SF_ACME,
    SF_ACME_CHILD,
    build_fixture_warehouse,
    helpdesk_tickets,
    insert_rows,
    ts,
)


def build_staging(warehouse: Path, work_dir: Path) -> dict[str, dict[str, Any]]:
    """`dbt build --select staging` on `warehouse`: {node name: its run result}.

    target/ and logs/ go to a temp dir so parallel runs don't clash.
    """
    run = run_dbt(
        ["build", "--select", "staging"],
        warehouse=warehouse,
        target_path=work_dir / "target",
        log_dir=work_dir / "logs",
    )
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    assert run.ok, [(r["unique_id"], r["status"], r["message"]) for r in results if r["status"] != "success"]
    return {r["unique_id"].split(".")[2]: r for r in results}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, Any]]:
    work = tmp_path_factory.mktemp("staging")
    warehouse = build_fixture_warehouse(work / "warehouse.duckdb")
    con = duckdb.connect(str(warehouse))
    # Foreign mapped data may bring a status outside the Zendesk set: a warning, not a failed build.
    insert_rows(
        con,
        "helpdesk_tickets",
        [
            {
                **helpdesk_tickets()[3],
                "ticket_id": "404",
                "status": "Escalated",
                "updated_at": ts("2026-03-06 09:00:00"),
            }
        ],
    )
    con.close()
    result = build_staging(warehouse, work)
    con = duckdb.connect(str(warehouse))
    yield con, result
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_build_passes_with_only_the_expected_warning(built: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    _, result = built
    statuses = {name: r["status"] for name, r in result.items()}
    assert sum(1 for s in statuses.values() if s == "success") == 9  # the nine staging models
    warned = sorted(name for name, status in statuses.items() if status == "warn")
    assert warned == [
        "accepted_values_stg_helpdesk__tickets_status__new__open__pending__hold__solved__closed__resolved"
    ]
    assert all(status in {"success", "pass", "warn"} for status in statuses.values())


def test_staging_objects_are_views_in_staging_schema(built: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, _ = built
    objects = {
        r["table_name"]: r["table_type"]
        for r in rows(
            con, "select table_name, table_type from information_schema.tables where table_schema = 'staging'"
        )
    }
    # The two aggregations of every event are stored once per build; the rest are views.
    assert {name for name, kind in objects.items() if kind != "VIEW"} == {
        "stg_app__users",
        "stg_app__account_traits",
    }
    views = {name for name, kind in objects.items() if kind == "VIEW"}
    assert views == {
        "stg_app__events",
        "stg_helpdesk__tickets",
        "stg_crm__accounts",
        "stg_crm__contacts",
        "stg_crm__contact_versions",
        "stg_crm__activities",
        "stg_billing__subscriptions",
    }


def test_subscription_versions_chain_and_carry_mrr(built: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, _ = built
    lines = rows(
        con,
        "select subscription_id, valid_from, valid_to, is_trial, mrr, billing_period_months "
        "from staging.stg_billing__subscriptions order by subscription_id, valid_from",
    )
    assert [(r["subscription_id"], str(r["valid_from"]), str(r["valid_to"])) for r in lines] == [
        ("sub_acme", "2026-01-15", "2026-01-29"),  # the trial runs until the next version starts
        ("sub_acme", "2026-01-29", "None"),  # the contract runs
        ("sub_beta", "2026-02-01", "2026-03-01"),
    ]
    # an annual charge per seat: 1200 x 10 seats / 12 months; a stated MRR as it is
    assert [(r["is_trial"], r["mrr"], r["billing_period_months"]) for r in lines] == [
        (True, 1000.0, 12), (False, 1000.0, 12), (False, 50.0, 1),
    ]  # fmt: skip


def test_ticket_versions_collapse_to_one_row(built: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, _ = built
    tickets = {r["ticket_id"]: r for r in rows(con, "select * from staging.stg_helpdesk__tickets")}
    assert set(tickets) == {"101", "202", "303", "404"}
    # Zendesk: 3 versions -> latest status/priority, earliest created_at, the exported solved_at.
    t101 = tickets["101"]
    assert (t101["status"], t101["priority"], t101["satisfaction_rating"]) == ("solved", "high", "good")
    assert t101["created_at"] == datetime(2026, 3, 1, 8, 0)
    assert t101["updated_at"] == datetime(2026, 3, 3, 12, 0)
    assert t101["solved_at"] == datetime(2026, 3, 3, 11, 30)
    assert t101["is_open"] is False
    # Mapped log: no created_at/solved_at -> first updated_at, first 'Resolved' version; status lowercased.
    t202 = tickets["202"]
    assert t202["status"] == "closed"
    assert t202["created_at"] == datetime(2026, 3, 1, 9, 0)
    assert t202["solved_at"] == datetime(2026, 3, 2, 9, 0)
    assert t202["is_open"] is False
    assert tickets["303"]["is_open"] is True and tickets["303"]["solved_at"] is None
    assert tickets["404"]["status"] == "escalated" and tickets["404"]["is_open"] is True


def test_crm_account_versions_chain_and_duplicates_collapse(
    built: tuple[duckdb.DuckDBPyConnection, Any],
) -> None:
    con, _ = built
    versions = rows(
        con,
        "select crm_account_id, account_id, status, valid_from, valid_to, is_current "
        "from staging.stg_crm__accounts order by crm_account_id, valid_from",
    )
    # Acme v1 arrived in two files and the child in two: 5 raw rows -> 3 versions.
    assert versions == [
        {
            "crm_account_id": SF_ACME,
            "account_id": "A000001",
            "status": "Trial",
            "valid_from": datetime(2026, 2, 1),
            "valid_to": datetime(2026, 3, 1),
            "is_current": False,
        },
        {
            "crm_account_id": SF_ACME,
            "account_id": "A000001",
            "status": "Paying",
            "valid_from": datetime(2026, 3, 1),
            "valid_to": None,
            "is_current": True,
        },
        {
            "crm_account_id": SF_ACME_CHILD,
            "account_id": "A000002",
            "status": "Free",
            "valid_from": datetime(2026, 2, 15),
            "valid_to": None,
            "is_current": True,
        },
    ]


def test_contacts_and_activities_keep_latest_version(built: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, _ = built
    contacts = {r["crm_contact_id"]: r for r in rows(con, "select * from staging.stg_crm__contacts")}
    assert len(contacts) == 2
    ann = contacts["0035g00000XyZaAAAA"]
    assert (ann["title"], ann["contact_role"], ann["user_id"]) == ("Head of Data", "Champion", "U000001-0001")
    activities = {r["activity_id"]: r for r in rows(con, "select * from staging.stg_crm__activities")}
    assert len(activities) == 2
    assert activities["00T5g00000QrStAAAA"]["status"] == "Completed"
    assert activities["00T5g00000QrStAAAA"]["crm_account_id"] == SF_ACME


def test_events_users_and_account_traits(built: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, _ = built
    events = rows(
        con,
        "select event_id, activity, event_date, source_name from staging.stg_app__events order by event_id",
    )
    assert [e["event_id"] for e in events] == ["m-t1", "m-t2", "m-t3"]  # track only
    assert str(events[2]["event_date"]) == "2026-03-04"
    users = {r["user_id"]: r for r in rows(con, "select * from staging.stg_app__users")}
    assert set(users) == {"U000001-0001", "U000001-0002", "U000002-0001"}
    ann = users["U000001-0001"]
    assert (ann["email"], ann["user_name"], ann["role"]) == ("ann@acme.test", "Ann Admin", "Admin")
    assert ann["first_seen_at"] == datetime(2026, 2, 28, 10, 0)
    assert ann["last_seen_at"] == datetime(2026, 3, 6, 10, 0)
    # Seen only in track calls: exists, no traits, account from its calls.
    bo = users["U000002-0001"]
    assert (bo["account_id"], bo["email"], bo["traits"]) == ("A000002", None, None)
    accounts = {r["account_id"]: r for r in rows(con, "select * from staging.stg_app__account_traits")}
    assert (accounts["A000001"]["account_name"], accounts["A000001"]["plan"]) == ("Acme", "professional")
    assert accounts["A000002"]["account_name"] is None
