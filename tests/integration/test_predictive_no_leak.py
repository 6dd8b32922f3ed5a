"""No information from after a day leaks into that day's metrics or health rank: shift and change every
event after a cutoff day in a copy of the built warehouse, rebuild everything downstream of the daily rollups,
and nothing up to the cutoff moves (the churn risk score's own test, with a fixed model, is in
tests/unit/test_health_learn.py)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb

from orchestration.dbt_project import run_dbt
from tests.support.commands import BuiltWarehouse
from tests.support.landing import last_day

COMPARED = ("intermediate.int_account_metrics_daily", "marts.fct_account_health_daily")


def _differences(original: Path, shifted: Path, table: str, where: str) -> int:
    """Rows that differ either way (doubles to 6 places: window sums may add in another order)."""
    con = duckdb.connect(str(shifted), read_only=True)
    try:
        con.execute(f"attach '{original}' as original (read_only)")
        schema, name = table.split(".")
        columns = ", ".join(
            f"round({column}, 6) as {column}" if kind == "DOUBLE" else column
            for column, kind in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'original' and table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
        )
        return con.execute(
            f"""
            select count(*) from (
                (select {columns} from original.{table} where {where}
                 except all select {columns} from {table} where {where})
                union all
                (select {columns} from {table} where {where}
                 except all select {columns} from original.{table} where {where})
            )
            """
        ).fetchone()[0]
    finally:
        con.close()


def test_shifting_future_events_changes_no_earlier_metric_or_rank(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    original = tmp_path / "original.duckdb"
    shutil.copy2(built_warehouse.warehouse, original)
    shifted = tmp_path / "warehouse.duckdb"
    shutil.copy2(built_warehouse.warehouse, shifted)
    cutoff = last_day(original) - timedelta(days=45)
    with duckdb.connect(str(shifted)) as con:
        # After the cutoff: a third of the events vanish, the rest move a day later and become Report exports.
        con.execute(
            "delete from raw.app_events where event_at::date > ? and hash(message_id) % 3 = 0", [cutoff]
        )
        con.execute(
            "update raw.app_events set event_at = event_at + interval 1 day, event_name = 'Report Exported', "
            "module = 'Reports' where event_at::date > ?",
            [cutoff],
        )
    run_dbt(
        # the rollups and everything between them and the health mart (not lists, tasks, ...)
        [
            "run",
            "--full-refresh",
            "--select",
            "int_usage_daily+,+fct_account_health_daily int_activity_usage_daily+,+fct_account_health_daily",
        ],
        warehouse=shifted,
        log_dir=tmp_path / "logs",
    ).check()
    up_to = f"as_of_date <= date '{cutoff.isoformat()}'"
    after = f"as_of_date > date '{cutoff.isoformat()}'"
    for table in COMPARED:
        assert _differences(original, shifted, table, up_to) == 0, table
    # The shift did change the later days (the comparison can see a difference).
    assert _differences(original, shifted, "intermediate.int_account_metrics_daily", after) > 0
