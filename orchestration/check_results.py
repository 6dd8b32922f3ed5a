"""Check results kept in the warehouse, so the data-quality report shows them without Dagster's UI.

Dagster remains the place to act on checks; this table is their history for people who read the reports:
one row per evaluation of a Great Expectations check or a dbt test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from orchestration.warehouse import connect

CHECK_RESULTS_DDL = """
create schema if not exists raw;
create table if not exists raw.check_results (
    checked_at timestamp not null,
    run_id varchar,
    asset varchar not null,           -- Dagster asset key, e.g. raw/app_events or marts/dim_accounts
    check_name varchar not null,
    check_type varchar not null,      -- great_expectations | dbt_test
    passed boolean not null,
    severity varchar not null,        -- ERROR | WARN
    failing_rows bigint,
    description varchar,
    details json
);
"""


@dataclass(frozen=True)
class CheckResultRow:
    asset: str
    check_name: str
    check_type: str
    passed: bool
    severity: str
    failing_rows: int | None = None
    description: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record_check_results(
    rows: list[CheckResultRow], run_id: str | None = None, path: Path | None = None
) -> None:
    if not rows:
        return
    checked_at = datetime.now()
    con = connect(path)
    try:
        con.execute(CHECK_RESULTS_DDL)
        con.executemany(
            "insert into raw.check_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    checked_at,
                    run_id,
                    row.asset,
                    row.check_name,
                    row.check_type,
                    row.passed,
                    row.severity,
                    row.failing_rows,
                    row.description,
                    json.dumps(row.details, default=str),
                )
                for row in rows
            ],
        )
    finally:
        con.close()


def dbt_test_results(run_results: dict[str, Any], manifest: dict[str, Any]) -> list[CheckResultRow]:
    """dbt test outcomes from run_results.json, each named by the model (schema/name) it tests."""
    nodes = manifest.get("nodes", {})
    unit_tests = manifest.get("unit_tests", {})
    rows: list[CheckResultRow] = []
    for result in run_results.get("results", []):
        unique_id = result.get("unique_id", "")
        node = nodes.get(unique_id) or unit_tests.get(unique_id) or {}
        if node.get("resource_type") not in ("test", "unit_test"):
            continue
        attached = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), "")
        target = nodes.get(attached, {})
        asset = f"{target.get('schema', '?')}/{target.get('name', attached)}" if target else attached or "?"
        status = result.get("status", "")
        rows.append(
            CheckResultRow(
                asset=asset,
                check_name=node.get("name") or unique_id.rsplit(".", 1)[-1],
                check_type="dbt_test",
                passed=status in ("pass", "success"),
                severity="WARN" if status == "warn" else "ERROR",
                failing_rows=result.get("failures"),
                description=result.get("message"),
                details={"status": status, "unique_id": unique_id},
            )
        )
    return rows
