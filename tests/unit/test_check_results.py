"""dbt's run results become rows of raw.check_results, named by the model each test checks."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.check_results import CheckResultRow, dbt_test_results, record_check_results

MANIFEST = {
    "nodes": {
        "model.pulse.dim_accounts": {"resource_type": "model", "schema": "marts", "name": "dim_accounts"},
        "test.pulse.unique_dim_accounts_account_id.1": {
            "resource_type": "test",
            "name": "unique_dim_accounts_account_id",
            "attached_node": "model.pulse.dim_accounts",
        },
        "test.pulse.health_one_row.2": {
            "resource_type": "test",
            "name": "health_one_row",
            "depends_on": {"nodes": ["model.pulse.dim_accounts"]},
        },
    },
    "unit_tests": {
        "unit_test.pulse.dim_accounts.young_account": {
            "resource_type": "unit_test",
            "name": "young_account",
            "depends_on": {"nodes": ["model.pulse.dim_accounts"]},
        }
    },
}
RUN_RESULTS = {
    "results": [
        {"unique_id": "model.pulse.dim_accounts", "status": "success"},
        {"unique_id": "test.pulse.unique_dim_accounts_account_id.1", "status": "pass", "failures": 0},
        {
            "unique_id": "test.pulse.health_one_row.2",
            "status": "warn",
            "failures": 3,
            "message": "Got 3 results",
        },
        {"unique_id": "unit_test.pulse.dim_accounts.young_account", "status": "fail", "failures": 1},
    ]
}


def test_dbt_results_name_the_model_and_keep_outcomes() -> None:
    rows = {row.check_name: row for row in dbt_test_results(RUN_RESULTS, MANIFEST)}
    assert set(rows) == {
        "unique_dim_accounts_account_id",
        "health_one_row",
        "young_account",
    }  # models skipped
    assert {row.asset for row in rows.values()} == {"marts/dim_accounts"}
    assert rows["unique_dim_accounts_account_id"].passed
    assert not rows["health_one_row"].passed and rows["health_one_row"].severity == "WARN"
    assert rows["health_one_row"].failing_rows == 3
    assert not rows["young_account"].passed and rows["young_account"].severity == "ERROR"


def test_results_are_appended_to_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    row = CheckResultRow(
        "raw/app_events", "ge_raw_values", "great_expectations", False, "ERROR", 2, "2 null ids"
    )
    record_check_results([row], run_id="run-1", path=warehouse)
    record_check_results([row], run_id="run-2", path=warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    stored = con.execute(
        "select run_id, asset, passed, failing_rows from raw.check_results order by run_id"
    ).fetchall()
    con.close()
    assert stored == [("run-1", "raw/app_events", False, 2), ("run-2", "raw/app_events", False, 2)]
