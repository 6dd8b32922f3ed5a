"""`make test-spark`: the whole dbt project builds on a local Spark and computes what DuckDB computes.

One sample (20 accounts, 60 days) is generated and ingested by Pulse into DuckDB; orchestration.spark hands
the raw tables to Spark as Parquet and runs `dbt build` (seeds, models, data tests, unit tests) on the `spark`
target in this process. The same raw tables are then built on DuckDB, and every intermediate and mart table
must have the same number of rows on both engines, and the health ranks the same counts. Last, an incremental
re-run of the daily rollups (insert_overwrite of day partitions on Spark) keeps their rows.
Needs the `spark` extra and Java (`make test-spark` installs both); `make test` leaves it out.
"""

from __future__ import annotations

import json

import pytest

from orchestration.dbt_project import run_dbt
from orchestration.spark.run import dbt_on_spark, run

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory: pytest.TempPathFactory):
    outcome = run(accounts=20, days=60, directory=tmp_path_factory.mktemp("spark"))
    print(outcome.format())
    return outcome


def test_whole_project_builds_and_passes_on_spark(spark_run) -> None:
    assert spark_run.results, "dbt build on spark ran nothing"
    assert not spark_run.failures, spark_run.format()
    manifest = json.loads((spark_run.directory / "target" / "manifest.json").read_text())
    expected = {
        unique_id
        for unique_id, node in {**manifest["nodes"], **manifest.get("unit_tests", {})}.items()
        if node["resource_type"] in ("model", "seed", "test", "unit_test")
    }
    done = {unique_id for unique_id, status, _ in spark_run.results if status in ("success", "pass")}
    assert expected - done == set(), f"not built or not passed on spark: {sorted(expected - done)[:20]}"
    assert any(unique_id.startswith("unit_test.") for unique_id in done)
    assert "model.pulse.int_task_assignments" in done  # the dbt Python model, run in the Spark session


def _spark_counts(tables: list[str]) -> dict[str, int]:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()  # dbt's session, still open in this process
    return {table: spark.table(table).count() for table in tables}


def test_spark_and_duckdb_build_the_same_rows(spark_run) -> None:
    if spark_run.failures:
        pytest.skip("the spark build failed (see the other test)")
    warehouse = spark_run.directory / "sample.duckdb"
    run_dbt(
        ["build", "--quiet", "--exclude", "resource_type:test", "resource_type:unit_test"],
        warehouse=warehouse,
        target_path=spark_run.directory / "duckdb-target",
        log_dir=spark_run.directory / "duckdb-logs",
    ).check()
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema in ('intermediate', 'marts') and table_type = 'BASE TABLE' order by 1, 2"
            ).fetchall()
        ]
        duckdb_counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
        duckdb_ranks = con.execute(
            "select health_rank, count(*) from marts.fct_account_health_daily group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    assert len(tables) > 40
    spark_counts = _spark_counts(tables)
    differ = {t: (duckdb_counts[t], spark_counts[t]) for t in tables if duckdb_counts[t] != spark_counts[t]}
    assert differ == {}, f"row counts (duckdb, spark) differ: {differ}"
    assert sum(duckdb_counts.values()) > 0

    from pyspark.sql import SparkSession

    spark_ranks = [
        tuple(row)
        for row in SparkSession.builder.getOrCreate()
        .sql("select health_rank, count(*) from marts.fct_account_health_daily group by 1 order by 1")
        .collect()
    ]
    assert spark_ranks == duckdb_ranks


def test_incremental_rerun_on_spark_keeps_the_rollups(spark_run) -> None:
    if spark_run.failures:
        pytest.skip("the spark build failed (see the first test)")
    rollups = ["intermediate.int_usage_daily", "intermediate.int_activity_usage_daily"]
    before = _spark_counts(rollups)
    results = dbt_on_spark(
        spark_run.directory,
        ["run", "--select", "int_usage_daily", "int_activity_usage_daily"],
    )
    assert [status for _, status, _ in results] == ["success", "success"], results
    assert _spark_counts(rollups) == before
    assert min(before.values()) > 0
