"""Evaluate a health configuration on a built warehouse without a dbt build.

The SQL is dbt's own: the health models downstream of the configuration seeds are compiled by dbt once, and
each is run as a DuckDB temp table with the seeds (and each other) swapped for temp tables loaded from a
configuration folder. The metrics (intermediate.int_account_metrics_*) come from the warehouse, so a
candidate configuration is judged on exactly the data and logic the build uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import yaml

from orchestration.dbt_project import DBT_PROJECT_DIR
from orchestration.warehouse import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "seeds"
CONFIG_SEEDS = ("health_profiles", "health_criteria", "health_settings")
# The health models that depend on the configuration, in dependency order.
CHAIN = (
    "int_health_profiles",
    "int_health_profile_filters",
    "int_health_criteria",
    "int_health_profile_assignment",
    "int_health_criteria_results",
    "int_health_categories_daily",
    "int_health_evaluated_daily",
    "int_health_rolled_up_daily",
)


def compile_chain(warehouse: Path) -> dict[str, dict]:
    """Compile the health models with dbt; return {name: {"sql": compiled code, "relation": relation}}."""
    # A subprocess (dbt keeps its DuckDB connection open in-process), against an empty file named like the
    # warehouse: compiling needs no data, the relation names come out identical, and the warehouse itself is
    # never locked for writing (others may be reading it).
    scratch = Path(tempfile.mkdtemp(prefix="pulse-health-compile-"))
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "compile",
            "--quiet",
            "--select",
            " ".join(CHAIN),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            # Its own target folder: the project's manifest (which Dagster reads) is left alone.
            "--target-path",
            str(scratch / "target"),
        ],
        env={**os.environ, "PULSE_WAREHOUSE": str(scratch / warehouse.name)},
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        if completed.returncode != 0:
            raise RuntimeError(f"dbt compile failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")
        manifest = json.loads((scratch / "target" / "manifest.json").read_text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    nodes = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed") and node["name"] in CHAIN + CONFIG_SEEDS:
            nodes[node["name"]] = {"sql": node.get("compiled_code"), "relation": node["relation_name"]}
    return nodes


def _seed_column_types() -> dict[str, dict[str, str]]:
    spec = yaml.safe_load((SEEDS_DIR / "_seeds.yml").read_text())
    return {seed["name"]: seed.get("config", {}).get("column_types", {}) for seed in spec["seeds"]}


def load_config(con: duckdb.DuckDBPyConnection, config_dir: Path, prefix: str) -> None:
    """Load a folder's health CSVs into temp tables <prefix><seed> (missing settings: the current ones)."""
    types = _seed_column_types()
    for seed in CONFIG_SEEDS:
        path = config_dir / f"{seed}.csv"
        if not path.exists():
            path = SEEDS_DIR / f"{seed}.csv"
        columns = types.get(seed, {})
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        spec = {name.strip(): columns.get(name.strip(), "varchar") for name in header}
        con.execute(
            f"create or replace temp table {prefix}{seed} as "
            f"select * from read_csv(?, header = true, columns = {spec!r}, auto_detect = false)",
            [str(path)],
        )


def run_chain(con: duckdb.DuckDBPyConnection, nodes: dict[str, dict], prefix: str) -> str:
    """Run the compiled health models on the <prefix> config tables; return the final temp table's name."""
    replacements = {nodes[name]["relation"]: f"temp.main.{prefix}{name}" for name in CONFIG_SEEDS + CHAIN}
    for name in CHAIN:
        sql = nodes[name]["sql"]
        # Longest first, so "x.int_health_rolled_up_daily" is not clobbered by a shorter relation's replacement.
        for relation in sorted(replacements, key=len, reverse=True):
            sql = sql.replace(relation, replacements[relation])
        con.execute(f"create or replace temp table {prefix}{name} as {sql}")
    return f"{prefix}int_health_rolled_up_daily"


def evaluate_configs(
    warehouse: Path, configs: dict[str, Path]
) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """Evaluate each named configuration folder; return an open connection and {name: temp table}."""
    nodes = compile_chain(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = {}
    for name, folder in configs.items():
        prefix = f"{name}_"
        load_config(con, folder, prefix)
        tables[name] = run_chain(con, nodes, prefix)
    return con, tables
