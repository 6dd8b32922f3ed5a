"""Shared fixtures. `built_warehouse` runs the whole graph once per test session on small generated data."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ARGS = ["--accounts", "60", "--days", "200", "--seed", "7"]


@dataclass(frozen=True)
class BuiltWarehouse:
    root: Path
    landing: Path
    warehouse: Path
    site: Path

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DAGSTER_HOME", None)
        env.update(
            PULSE_WAREHOUSE=str(self.warehouse),
            PULSE_LANDING=str(self.landing),
            PULSE_SITE_DIR=str(self.site),
        )
        return env


def pulse(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the `pulse` command line as a user would."""
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"pulse {' '.join(args)} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-6000:]}"
        )
    return completed


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> BuiltWarehouse:
    """60 accounts, 200 days, generated, ingested and built through Dagster (`pulse run`).

    Shared by pytest-xdist workers.
    """
    base = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        base = base.parent
    root = base / "built-warehouse"
    built = BuiltWarehouse(root, root / "landing", root / "warehouse.duckdb", root / "site")
    with FileLock(str(base / "built-warehouse.lock")):
        marker = root / "built.ok"
        if not marker.exists():
            root.mkdir(parents=True, exist_ok=True)
            env = built.env()
            pulse("generate", *SAMPLE_ARGS, "--out", str(built.landing), "--quiet", env=env)
            completed = pulse("run", env=env)
            (root / "run.log").write_text(completed.stdout + completed.stderr)
            marker.touch()
    return built
