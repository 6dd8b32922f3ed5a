"""Sample -> DuckDB raw -> Parquet -> dbt build on the `spark` target, in this process (see the package)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orchestration import settings
from orchestration.settings import DBT_PROJECT_DIR

# What a run lays anew under the Spark folder (nothing else there is removed).
_OWN = (
    "landing",
    "sample.duckdb",
    "sample.duckdb.wal",
    "sample.duckdb.lock",
    "derby.log",
    "raw",
    "warehouse",
    "metastore_db",
    "target",
    "logs",
)
SPARK_DIR_VAR = "pulse_spark_dir"


@dataclass
class SparkRun:
    directory: Path
    raw_rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    results: list[tuple[str, str, str]] = field(default_factory=list)  # (unique_id, status, message)
    success: bool = False

    @property
    def failures(self) -> list[tuple[str, str, str]]:
        return [result for result in self.results if result[1] not in ("success", "pass", "no-op")]

    def format(self) -> str:
        counts: dict[str, int] = {}
        for unique_id, status, _ in self.results:
            kind = unique_id.split(".")[0]
            counts[f"{kind} {status}"] = counts.get(f"{kind} {status}", 0) + 1
        lines = [
            f"spark: {sum(self.raw_rows.values()):,} raw rows in {len(self.raw_rows)} tables; "
            + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items()),
            "spark: " + ", ".join(f"{count} {what}" for what, count in sorted(counts.items())),
        ]
        lines += [f"  FAILED {unique_id}: {message}" for unique_id, _, message in self.failures]
        return "\n".join(lines)


def lay_out(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in _OWN:
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def make_sample(directory: Path, accounts: int, days: int, seed: int) -> dict[str, int]:
    """Generate landing files, ingest them into sample.duckdb, write each raw table to raw/<table>/."""
    from orchestration.generate.core import GenerateConfig, generate_dataset
    from orchestration.ingest.loader import ingest
    from orchestration.warehouse import connect

    landing = directory / "landing"
    generate_dataset(GenerateConfig(accounts=accounts, days=days, seed=seed, out=landing, progress=False))
    warehouse = directory / "sample.duckdb"
    summary = ingest(landing, warehouse)
    if summary.failures:
        raise RuntimeError(f"ingestion failed:\n{summary.format()}")
    rows: dict[str, int] = {}
    con = connect(warehouse, read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall()
        for (table,) in tables:
            # JSON columns become text; timestamps stay timestamps (Spark reads them in the session's UTC).
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            select = ", ".join(
                f'cast("{name}" as varchar) as "{name}"' if data_type == "JSON" else f'"{name}"'
                for name, data_type in columns
            )
            target = directory / "raw" / table
            target.mkdir(parents=True)
            parquet = target / "part-0.parquet"
            con.execute(f"copy (select {select} from raw.\"{table}\") to '{parquet}' (format parquet)")
            rows[table] = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    finally:
        con.close()
    return rows


def dbt_on_spark(directory: Path, args: Sequence[str]) -> list[tuple[str, str, str]]:
    """`dbt <args> --target spark` in this process; its results as (unique_id, status, message)."""
    from dbt.cli.main import dbtRunner

    from orchestration.spark.python_models import enable_session_python_models

    enable_session_python_models()
    result = dbtRunner().invoke(
        [
            *args,
            "--target",
            "spark",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(directory / "target"),
            "--log-path",
            str(directory / "logs"),
            "--vars",
            json.dumps({SPARK_DIR_VAR: str(directory)}),
        ]
    )
    if result.exception is not None:
        raise RuntimeError(f"dbt {args[0]} on spark did not run: {result.exception}")
    if args[0] not in ("build", "run"):
        if not result.success:
            raise RuntimeError(f"dbt {args[0]} on spark failed; see {directory / 'logs' / 'dbt.log'}")
        return []
    return [
        (item.node.unique_id, str(item.status), (item.message or "").strip()[:2000])
        for item in result.result.results
    ]


def run(accounts: int = 20, days: int = 60, seed: int = 7, directory: Path | None = None) -> SparkRun:
    directory = (directory or settings.spark_dir()).resolve()
    outcome = SparkRun(directory)
    started = time.monotonic()
    lay_out(directory)
    outcome.raw_rows = make_sample(directory, accounts, days, seed)
    outcome.seconds["sample"] = time.monotonic() - started
    started = time.monotonic()
    tables = json.dumps({"parquet_dir": str(directory / "raw"), "tables": sorted(outcome.raw_rows)})
    dbt_on_spark(directory, ["run-operation", "spark_register_raw_tables", "--args", tables])
    outcome.seconds["spark start and raw tables"] = time.monotonic() - started
    started = time.monotonic()
    outcome.results = dbt_on_spark(directory, ["build"])
    outcome.seconds["dbt build"] = time.monotonic() - started
    outcome.success = bool(outcome.results) and not outcome.failures
    return outcome
