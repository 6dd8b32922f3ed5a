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
    monkeypatch.delenv("PULSE_DBT_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("PULSE_DUCKDB_TEMP_DIR", raising=False)
    own = (
        f'"pulse_memory_limit": "4GB", "pulse_temp_directory": "{tmp_path / "w.duckdb.tmp"}", '
        f'"pulse_warehouse": "{tmp_path / "w.duckdb"}"'
    )
    assert dbt_vars() == "{" + own + "}"
    assert dbt_vars(extra={"min_date": "2026-01-01"}) == '{"min_date": "2026-01-01", ' + own + "}"


def test_the_dbt_build_has_the_configured_memory_limit_and_spill_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Peak memory is a choice: the profile gives DuckDB Pulse's settings, not its default, 80% of RAM.
    monkeypatch.setenv("PULSE_DBT_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("PULSE_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    sql = "select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as spill"
    run = run_dbt(
        ["show", "--inline", sql, "--output", "json"],
        warehouse=tmp_path / "w.duckdb",
        target_path=tmp_path / "target",
        log_dir=tmp_path / "logs",
    )
    assert run.ok, run.output
    assert '"memory_limit": "286.1 MiB"' in run.output  # DuckDB's spelling of 300 MB
    assert f'"spill": "{tmp_path / "spill"}"' in run.output


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


def test_a_new_rollup_day_reparses_only_the_rollups(tmp_path: Path) -> None:
    # A daily run's rollup step passes its day range as environment variables: dbt keeps its partial parse and
    # re-parses the two models that read them, where a changed --vars would re-parse the whole project.
    from orchestration.dbt_project import rollup_days_env

    runs = []
    for day in ("2026-03-01", "2026-03-02"):
        log_dir = tmp_path / f"logs-{day}"
        run = run_dbt(
            ["parse"],
            warehouse=tmp_path / "w.duckdb",
            extra_env=rollup_days_env(day, day),
            target_path=tmp_path / "target",
            log_dir=log_dir,
        )
        assert run.ok, run.output
        runs.append((log_dir / "dbt.log").read_text())
    second = runs[1]
    assert "Unable to do partial parsing" not in second
    updated = sorted(
        line.rsplit("/", 1)[-1] for line in second.splitlines() if "Partial parsing: updated file" in line
    )
    assert updated == ["int_activity_usage_daily.sql", "int_usage_daily.sql"]
