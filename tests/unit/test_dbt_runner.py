"""run_dbt: the dbt beside Pulse's Python, the warehouse passed explicitly, os.environ left alone."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from orchestration.dbt_project import dbt_executable, dbt_vars, run_dbt


def test_dbt_is_the_one_beside_this_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # not activated: dbt is not on PATH
    assert dbt_executable() == str(Path(sys.executable).parent / "dbt")


def test_vars_carry_an_absolute_warehouse_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULSE_WAREHOUSE", "w.duckdb")
    assert dbt_vars() == f'{{"pulse_warehouse": "{tmp_path / "w.duckdb"}"}}'
    assert dbt_vars(extra={"min_date": "2026-01-01"}) == (
        f'{{"min_date": "2026-01-01", "pulse_warehouse": "{tmp_path / "w.duckdb"}"}}'
    )


def test_run_dbt_points_dbt_at_the_warehouse_without_touching_os_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PULSE_WAREHOUSE", str(tmp_path / "not-this.duckdb"))
    before = dict(os.environ)
    run = run_dbt(["debug"], warehouse=tmp_path / "this.duckdb", log_dir=tmp_path / "logs")
    assert dict(os.environ) == before
    assert run.ok, run.output
    assert f"path: {tmp_path / 'this.duckdb'}" in run.output
    assert (tmp_path / "logs" / "dbt.log").exists() and run.log_file == tmp_path / "logs" / "dbt.log"
    assert run.seconds > 0 and run.peak_rss_mb > 10  # dbt's own process, measured


def test_run_dbt_sets_its_own_flags() -> None:
    with pytest.raises(ValueError, match="--vars"):
        run_dbt(["build", "--vars", "{}"])
