"""Evaluate a health configuration on a built warehouse without a dbt build.

The SQL is dbt's own: the health models downstream of the configuration seeds (dbt selection
`tag:health_config`, set on models/intermediate/health/ in dbt_project.yml) are compiled by dbt once, and each
is run, in dependency order, as a DuckDB temp table with the seeds they read (and each other) swapped for temp
tables loaded from a configuration folder. The metrics (intermediate.int_account_metrics_*) come from the
warehouse, so a candidate configuration is judged on exactly the data and logic the build uses.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.dbt_project import run_dbt
from orchestration.warehouse import PROJECT_ROOT
from orchestration.yaml_files import load_yaml

SEEDS_DIR = PROJECT_ROOT / "seeds"
SELECTION = "tag:health_config"
# The model whose rows are the evaluated health (the one the marts read).
FINAL_MODEL = "int_health_rolled_up_daily"


@dataclass
class Chain:
    """The compiled health models in dependency order, and the configuration seeds they read."""

    models: list[str]
    seeds: list[str]
    nodes: dict[str, dict]  # name -> {"sql": compiled code (models), "relation": relation name}


def _dependency_order(manifest: dict, selected: set[str]) -> list[str]:
    """The selected node ids, each after the selected nodes it depends on (a topological sort)."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(unique_id: str) -> None:
        if unique_id in ordered or unique_id in visiting:
            return
        visiting.add(unique_id)
        for parent in manifest["nodes"][unique_id]["depends_on"]["nodes"]:
            if parent in selected:
                visit(parent)
        ordered.append(unique_id)

    for unique_id in sorted(selected):
        visit(unique_id)
    return ordered


def compile_chain(warehouse: Path) -> Chain:
    """Compile the health models (dbt selection tag:health_config) with dbt, in dependency order."""
    # In a child process (dbt keeps its DuckDB connection open in-process), against an empty file named like
    # the warehouse: compiling needs no data, the relation names (which carry the file's name) come out
    # identical, and the warehouse itself is never locked for writing (others may be reading it).
    scratch = Path(tempfile.mkdtemp(prefix="pulse-health-compile-"))
    try:
        run_dbt(
            ["compile", "--quiet", "--select", SELECTION],
            warehouse=scratch / warehouse.name,
            # Its own target folder: the project's manifest (which Dagster reads) is left alone.
            target_path=scratch / "target",
        ).check()
        manifest = json.loads((scratch / "target" / "manifest.json").read_text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    # The compiled manifest holds compiled code for the selected models only.
    selected = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("compiled_code") and "health_config" in node["tags"]
    }
    models = [manifest["nodes"][unique_id] for unique_id in _dependency_order(manifest, selected)]
    seed_ids = sorted(
        {parent for model in models for parent in model["depends_on"]["nodes"] if parent.startswith("seed.")}
    )
    seeds = [manifest["nodes"][unique_id] for unique_id in seed_ids]
    nodes = {
        node["name"]: {"sql": node.get("compiled_code"), "relation": node["relation_name"]}
        for node in models + seeds
    }
    return Chain([node["name"] for node in models], [node["name"] for node in seeds], nodes)


def _seed_column_types() -> dict[str, dict[str, str]]:
    spec = load_yaml(SEEDS_DIR / "_seeds.yml")
    return {seed["name"]: seed.get("config", {}).get("column_types", {}) for seed in spec["seeds"]}


def load_config(con: duckdb.DuckDBPyConnection, config_dir: Path, prefix: str, seeds: list[str]) -> None:
    """Load a folder's configuration CSVs into temp tables <prefix><seed>; a file the folder lacks (e.g.
    health_settings.csv, health_segment_filters.csv) is the project's current one."""
    types = _seed_column_types()
    for seed in seeds:
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


def run_chain(con: duckdb.DuckDBPyConnection, chain: Chain, prefix: str) -> str:
    """Run the compiled health models on the <prefix> config tables; return the final temp table's name."""
    nodes = chain.nodes
    replacements = {
        nodes[name]["relation"]: f"temp.main.{prefix}{name}" for name in chain.seeds + chain.models
    }
    for name in chain.models:
        sql = nodes[name]["sql"]
        # Longest first, so a relation is not clobbered by a shorter relation's replacement.
        for relation in sorted(replacements, key=len, reverse=True):
            sql = sql.replace(relation, replacements[relation])
        con.execute(f"create or replace temp table {prefix}{name} as {sql}")
    return f"{prefix}{FINAL_MODEL}"


def evaluate_configs(
    warehouse: Path, configs: dict[str, Path]
) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """Evaluate each named configuration folder; return an open connection and {name: temp table}."""
    chain = compile_chain(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = {}
    for name, folder in configs.items():
        prefix = f"{name}_"
        load_config(con, folder, prefix, chain.seeds)
        tables[name] = run_chain(con, chain, prefix)
    return con, tables
