"""Every dbt unit test as its own pytest case, so a failing one names itself and shows dbt's diff.

The unit tests are declared beside their models (`unit_tests:` in models/**/_*__models.yml). They run once
per module in one `dbt test` on a fresh DuckDB file in a temporary folder: unit tests need their model's
parents to exist as relations (dbt reads their columns), so an `--empty` build (seeds and models, no rows, no
tests) comes first. Both run with their own target path: the project's dbt_project/target manifest, which
Dagster reads, is left alone. Cases are collected from the YAML (no dbt run at collection time, which every
xdist worker does); test_every_unit_test_in_the_manifest_is_collected checks that dbt's manifest holds exactly
those.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestration import warehouse
from orchestration.dbt_project import DbtError, run_dbt
from orchestration.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"


def _declared_unit_tests() -> list[tuple[str, str]]:
    """(model, unit test name) of every unit test declared under models/, in file order."""
    declared = []
    for path in sorted(MODELS.rglob("*.yml")):
        for unit_test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []:
            declared.append((unit_test["model"], unit_test["name"]))
    return declared


DECLARED = _declared_unit_tests()


def _unique_id(model: str, name: str) -> str:
    return f"unit_test.pulse.{model}.{name}"


@dataclass(frozen=True)
class UnitTestRun:
    results: dict[str, dict[str, Any]]  # run_results.json entries by unique_id
    declared_in: dict[str, str]  # unique_id -> the YAML file declaring it (dbt's manifest)
    log_dir: Path


@pytest.fixture(scope="module")
def unit_test_run(tmp_path_factory: pytest.TempPathFactory) -> UnitTestRun:
    root = tmp_path_factory.mktemp("dbt-unit-tests")
    db = root / "warehouse.duckdb"
    con = warehouse.connect(db)
    try:
        warehouse.ensure_raw_schema(con)  # the sources the staging views select from
    finally:
        con.close()
    options = {"warehouse": db, "target_path": root / "target", "log_dir": root / "logs"}
    run_dbt(
        ["build", "--empty", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
        **options,
    ).check()
    # Exit 1 when a unit test fails (each case below reports its own); anything else is dbt failing to run.
    tested = run_dbt(["test", "--select", "test_type:unit"], **options)
    if tested.returncode not in (0, 1):
        raise DbtError(tested)
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    manifest = json.loads((root / "target" / "manifest.json").read_text())
    return UnitTestRun(
        results={result["unique_id"]: result for result in results},
        declared_in={
            unique_id: node["original_file_path"].removeprefix("../")
            for unique_id, node in manifest["unit_tests"].items()
        },
        log_dir=root / "logs",
    )


@pytest.mark.parametrize(("model", "name"), DECLARED, ids=[f"{model}::{name}" for model, name in DECLARED])
def test_dbt_unit_test(unit_test_run: UnitTestRun, model: str, name: str) -> None:
    unique_id = _unique_id(model, name)
    result = unit_test_run.results.get(unique_id)
    assert result is not None, f"dbt unit test {model}::{name} did not run (log: {unit_test_run.log_dir})"
    if result["status"] != "pass":
        # dbt's message is the diff (expected -> actual per differing cell), or the error.
        pytest.fail(
            f"dbt unit test {model}::{name} ({unit_test_run.declared_in.get(unique_id)}): "
            f"{result['status']}\n{(result.get('message') or '').strip()}",
            pytrace=False,
        )


def test_every_unit_test_in_the_manifest_is_collected(unit_test_run: UnitTestRun) -> None:
    assert set(unit_test_run.declared_in) == {_unique_id(model, name) for model, name in DECLARED}
    assert len(DECLARED) == len(set(DECLARED)) >= 20
