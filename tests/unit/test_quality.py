"""Great Expectations checks on the raw tables: the GE logic directly and as Dagster asset checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from orchestration.quality.config import DEFAULT_CONFIG_PATH, QualityConfigError, load_config, parse_config
from orchestration.quality.expectations import run_reject_rate_check, run_table_checks, utc_now
from orchestration.warehouse import RAW_TABLES
from tests.support.raw_fixtures import build_fixture_warehouse, insert_rows, loaded_files


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "warehouse.duckdb")


def add_rows(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    con = duckdb.connect(str(path))
    try:
        insert_rows(con, table, rows)
    finally:
        con.close()


def default_config_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())


# --- configuration ---


def test_default_config_covers_every_raw_table() -> None:
    config = load_config()
    assert set(config.tables) == set(RAW_TABLES)
    assert config.future_tolerance_days == 1 and config.reject_max_rate == 0.05
    status = next(r for r in config.tables["helpdesk_tickets"].in_set if r.column == "status")
    assert status.lowercase and "resolved" in status.values and status.mostly == 0.95


@pytest.mark.parametrize(
    ("mutate", "key", "message"),
    [
        (lambda d: d["tables"].update(app_event={}), "tables.app_event", "not a raw table"),
        (lambda d: d["tables"]["app_events"].update(severity="fatal"), "tables.app_events.severity", "ERROR"),
        (
            lambda d: d["tables"]["crm_accounts"]["in_set"][0].update(mostly=1.5),
            "in_set[0].mostly",
            "out of range",
        ),
        (
            lambda d: d["tables"]["crm_contacts"]["not_null"][0].update(column="sfid"),
            "not_null[0].column",
            "sf_id",
        ),
        (lambda d: d["reject_rate"].update(max_rat=0.1), "reject_rate", "unknown key"),
        (lambda d: d.update(future_tolerance_days="one"), "future_tolerance_days", "expected a number"),
    ],
)
def test_bad_config_names_the_key_and_what_is_allowed(
    mutate: Callable[[dict[str, Any]], None], key: str, message: str
) -> None:
    data = default_config_data()
    mutate(data)
    with pytest.raises(QualityConfigError) as raised:
        parse_config(data)
    assert key in str(raised.value) and message in str(raised.value)
    assert str(DEFAULT_CONFIG_PATH) in str(raised.value)


# --- the GE logic ---


def test_good_data_passes_every_check(warehouse: Path) -> None:
    for table in RAW_TABLES:
        values = run_table_checks(table, warehouse=warehouse)
        assert values.passed, values.description
        assert values.rows_checked > 0
        rejects = run_reject_rate_check(table, warehouse=warehouse)
        assert rejects.passed, rejects.description


def test_null_track_ids_fail_but_identify_without_account_is_fine(warehouse: Path) -> None:
    add_rows(
        warehouse,
        "app_events",
        [
            {
                "message_id": "m-null-account",
                "event_type": "track",
                "event_name": "Login",
                "user_id": "U000001-0001",
                "event_at": datetime(2026, 3, 7, 9, 0),
            },
            # identify calls need no account: the rule only looks at track rows.
            {
                "message_id": "m-identify",
                "event_type": "identify",
                "user_id": "U000009-0001",
                "event_at": datetime(2026, 3, 7, 9, 0),
            },
        ],
    )
    outcome = run_table_checks("app_events", warehouse=warehouse)
    assert not outcome.passed and outcome.severity == "ERROR"
    [failure] = outcome.failures
    assert (failure.expectation, failure.column) == ("expect_column_values_to_not_be_null", "account_id")
    assert failure.unexpected_count == 1
    assert failure.examples == [{"account_id": None, "message_id": "m-null-account"}]


def test_future_timestamps_fail_beyond_the_tolerance(warehouse: Path) -> None:
    now = utc_now()
    base = {"account_id": "A000001", "status": "open", "created_at": datetime(2026, 3, 1)}
    add_rows(
        warehouse,
        "helpdesk_tickets",
        [
            {
                **base,
                "ticket_id": "soon",
                "updated_at": now + timedelta(hours=12),
            },  # inside the 1-day tolerance
            {**base, "ticket_id": "later", "updated_at": now + timedelta(days=30)},
        ],
    )
    outcome = run_table_checks("helpdesk_tickets", warehouse=warehouse, now=now)
    assert not outcome.passed
    [failure] = outcome.failures
    assert (failure.expectation, failure.column) == ("expect_column_values_to_be_between", "updated_at")
    assert failure.unexpected_count == 1 and failure.examples[0]["ticket_id"] == "later"
    assert "not after now + 1 day" in failure.rule

    data = default_config_data()
    data["future_tolerance_days"] = 0
    strict = run_table_checks("helpdesk_tickets", config=parse_config(data), warehouse=warehouse, now=now)
    assert strict.failures[0].unexpected_count == 2


def test_unknown_status_fails_past_mostly_and_warn_rules_warn(warehouse: Path) -> None:
    add_rows(
        warehouse,
        "crm_accounts",
        [
            {
                "sf_id": "0015g00000ZzZzZAAZ",
                "app_account_id": "A000009",
                "status": "Prospect",
                "tier": "Platinum",
                "last_modified_at": datetime(2026, 3, 1),
            },
        ],
    )
    outcome = run_table_checks("crm_accounts", warehouse=warehouse)
    assert not outcome.passed and outcome.severity == "ERROR"  # status is ERROR, tier only WARN
    failures = {f.column: f for f in outcome.failures}
    assert set(failures) == {"status", "tier"}
    assert failures["status"].examples[0]["status"] == "Prospect"
    assert failures["tier"].severity == "WARN"

    # Mapped data varies: with a looser `mostly` one odd value in six passes, and only the WARN rule is left.
    data = default_config_data()
    data["tables"]["crm_accounts"]["in_set"][0]["mostly"] = 0.8
    loose = run_table_checks("crm_accounts", config=parse_config(data), warehouse=warehouse)
    assert [f.column for f in loose.failures] == ["tier"] and loose.severity == "WARN"


def test_helpdesk_status_is_compared_lowercase(warehouse: Path) -> None:
    # The fixture has mapped-log 'Open' / 'Resolved' / 'Closed': lowercased, they are in the set.
    outcome = run_table_checks("helpdesk_tickets", warehouse=warehouse)
    assert outcome.passed, outcome.description


def test_file_with_20_percent_rejects_fails(warehouse: Path) -> None:
    add_rows(
        warehouse, "loaded_files", [r for r in loaded_files({"f-bad": (50, 10)}) if r["file_id"] == "f-bad"]
    )
    outcome = run_reject_rate_check("app_events", warehouse=warehouse)
    assert not outcome.passed and outcome.severity == "ERROR"
    [failure] = outcome.failures
    assert failure.column == "reject_rate" and failure.unexpected_count == 1
    assert failure.examples == [{"max_rate": 0.05, "reject_rate": 0.2, "path": "landing/fixture/f-bad.csv"}]
    assert "5.0%" in failure.rule
    # Other tables' files are not blamed.
    assert run_reject_rate_check("crm_accounts", warehouse=warehouse).passed


def test_a_mapping_can_have_its_own_reject_limit(warehouse: Path) -> None:
    """Sparkify's anonymous traffic is rejected by design: its files are held to reject_rate.by_mapping."""
    rows = [r for r in loaded_files({"f-anon": (50, 4)}) if r["file_id"] == "f-anon"]
    add_rows(warehouse, "loaded_files", [{**row, "mapping": "sparkify"} for row in rows])
    config = load_config()
    assert config.reject_max_rate_by_mapping == {"sparkify": 0.10}
    assert run_reject_rate_check("app_events", config, warehouse=warehouse).passed  # 8% <= 10%
    strict = replace(config, reject_max_rate_by_mapping={})
    assert not run_reject_rate_check("app_events", strict, warehouse=warehouse).passed  # 8% > 5%


# --- as Dagster asset checks ---


def test_asset_checks_run_in_dagster(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    from orchestration.defs.quality import defs

    add_rows(
        warehouse, "loaded_files", [r for r in loaded_files({"f-bad": (50, 10)}) if r["file_id"] == "f-bad"]
    )
    add_rows(
        warehouse,
        "app_events",
        [
            {
                "message_id": "m-future",
                "event_type": "track",
                "account_id": "A000001",
                "user_id": "U000001-0001",
                "event_at": utc_now() + timedelta(days=10),
            },
        ],
    )
    monkeypatch.setenv("PULSE_WAREHOUSE", str(warehouse))

    # Ingestion owns the real raw assets; a stand-in lets the checks run after a "materialization".
    @dg.asset(key=["raw", "app_events"])
    def raw_app_events() -> None:
        return None

    @dg.asset(key=["raw", "crm_contacts"])
    def raw_crm_contacts() -> None:
        return None

    checks = [
        c
        for c in defs.asset_checks
        if next(iter(c.check_keys)).asset_key.path[1] in ("app_events", "crm_contacts")
    ]
    assert len(checks) == 4
    result = dg.materialize(
        [raw_app_events, raw_crm_contacts, *checks], instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    evaluations = {(e.asset_key.path[1], e.check_name): e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {
        ("app_events", "ge_raw_values"),
        ("app_events", "ge_reject_rate"),
        ("crm_contacts", "ge_raw_values"),
        ("crm_contacts", "ge_reject_rate"),
    }
    assert evaluations[("crm_contacts", "ge_raw_values")].passed
    assert evaluations[("crm_contacts", "ge_reject_rate")].passed

    future = evaluations[("app_events", "ge_raw_values")]
    assert not future.passed and future.severity == dg.AssetCheckSeverity.ERROR
    assert future.metadata["failed_expectations"].value == ["expect_column_values_to_be_between(event_at)"]
    assert future.metadata["failures"].value[0]["examples"][0]["message_id"] == "m-future"

    rejects = evaluations[("app_events", "ge_reject_rate")]
    assert not rejects.passed
    assert "f-bad.csv" in str(rejects.metadata["failures"].value)
    expected = "expect_column_pair_values_a_to_be_greater_than_b(reject_rate)"
    assert expected in rejects.metadata["first_failure"].value
