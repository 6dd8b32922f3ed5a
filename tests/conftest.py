"""Shared fixtures. `built_warehouse` runs the whole graph once per test session on small generated data."""

from __future__ import annotations

import pytest
from filelock import FileLock

from tests.support.commands import SAMPLE_ARGS, BuiltWarehouse, pulse


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration/ is marked `integration` (-m integration)."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
