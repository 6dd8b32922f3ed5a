"""The dbt project as Dagster and the command line see it, and a cheap way to keep its manifest current."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.warehouse import PROJECT_ROOT, warehouse_path

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# Everything dbt parses: a change to any of these makes the manifest stale.
_DBT_INPUTS = (
    PROJECT_ROOT / "models",
    PROJECT_ROOT / "seeds",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
)


def dbt_env() -> dict[str, str]:
    """Environment for a dbt subprocess: the warehouse path always absolute, so dbt's cwd does not matter."""
    env = dict(os.environ)
    env["PULSE_WAREHOUSE"] = str(warehouse_path())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def _newest_input_mtime() -> float:
    newest = 0.0
    for root in _DBT_INPUTS:
        paths = [root] if root.is_file() else root.rglob("*") if root.exists() else []
        for path in paths:
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale() -> bool:
    return not MANIFEST_PATH.exists() or MANIFEST_PATH.stat().st_mtime < _newest_input_mtime()


def ensure_manifest() -> Path:
    """Run `dbt parse` when models, seeds or macros changed since the manifest was written.

    Parsing takes seconds; it is not a build. First the mart's metric columns are regenerated from the metric
    catalog (the one step dbt cannot derive itself), so a new metric reaches the mart's contract.
    """
    from orchestration.metrics.catalog import sync_mart_yaml

    sync_mart_yaml(PROJECT_ROOT)
    if manifest_is_stale():
        from dbt.cli.main import dbtRunner

        previous = os.environ.get("PULSE_WAREHOUSE")
        os.environ["PULSE_WAREHOUSE"] = str(warehouse_path())
        try:
            result = dbtRunner().invoke(
                [
                    "parse",
                    "--quiet",
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                ]
            )
        finally:
            if previous is None:
                os.environ.pop("PULSE_WAREHOUSE", None)
            else:
                os.environ["PULSE_WAREHOUSE"] = previous
        if not result.success:
            raise RuntimeError(f"dbt parse failed: {result.exception}")
    return MANIFEST_PATH
