"""Settings are read when asked (tests and child processes can set them), and the command line stays light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_defaults_live_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PULSE_WAREHOUSE", "PULSE_LANDING", "PULSE_SITE_DIR", "PULSE_LOG_DIR", "PULSE_BENCH_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert settings.warehouse_path() == PROJECT_ROOT / "var" / "warehouse.duckdb"
    assert settings.landing_root() == str(PROJECT_ROOT / "var" / "landing")
    assert settings.site_dir() == PROJECT_ROOT / "var" / "site"
    assert settings.dbt_log_file() == PROJECT_ROOT / "var" / "logs" / "dbt.log"
    assert settings.bench_dir() is None


def test_variables_are_read_at_call_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULSE_WAREHOUSE", "relative/w.duckdb")
    monkeypatch.setenv("PULSE_LANDING", "s3://bucket/landing")
    monkeypatch.setenv("PULSE_REPORT_WORKERS", "3")
    monkeypatch.setenv("PULSE_PARTITION_START", "2026-01-01")
    monkeypatch.setenv("PULSE_BENCH_SIZES", "demo, 1000000")
    monkeypatch.setenv("PULSE_INGEST_PAUSE_BEFORE_COMMIT", "0.5")
    # A relative warehouse path means the directory Pulse runs from.
    assert settings.warehouse_path() == tmp_path / "relative" / "w.duckdb"
    assert settings.landing_root() == "s3://bucket/landing"
    assert settings.report_workers() == 3
    assert settings.partition_start() == "2026-01-01"
    assert settings.bench_sizes() == ["demo", "1000000"]
    assert settings.ingest_pause_before_commit() == 0.5
    monkeypatch.setenv("PULSE_WAREHOUSE", "")  # empty counts as unset
    assert settings.warehouse_path() == PROJECT_ROOT / "var" / "warehouse.duckdb"


def test_no_other_module_reads_the_environment() -> None:
    """Every environment variable Pulse reads goes through orchestration/settings.py."""
    readers = []
    for path in sorted((PROJECT_ROOT / "orchestration").rglob("*.py")):
        text = path.read_text()
        if path.name != "settings.py" and ("os.environ.get(" in text or "os.getenv(" in text):
            readers.append(path.relative_to(PROJECT_ROOT).as_posix())
    assert readers == []


def test_pulse_help_does_not_import_dagster_or_dbt() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from orchestration.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(result.output)\n"
        "print('heavy:', sorted(m for m in ('dagster', 'dbt', 'great_expectations') if m in sys.modules))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    for command in ("generate", "health", "ingest", "report", "run"):
        assert f"  {command}" in completed.stdout
    assert "heavy: []" in completed.stdout


def test_python_m_orchestration_cli_is_pulse() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--help"],
        cwd=PROJECT_ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.startswith("Usage: pulse run [OPTIONS]")
    assert "--verbose" in completed.stdout


def test_ingestion_memory_and_lock_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PULSE_DUCKDB_MEMORY_LIMIT", "PULSE_DUCKDB_TEMP_DIR", "PULSE_LOCK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    warehouse = tmp_path / "w.duckdb"
    assert settings.duckdb_memory_limit() == "512MB"
    assert settings.duckdb_temp_directory(warehouse) == tmp_path / "w.duckdb.tmp"  # where DuckDB spills
    assert settings.lock_timeout() == 600.0
    monkeypatch.setenv("PULSE_DUCKDB_MEMORY_LIMIT", "2GB")
    monkeypatch.setenv("PULSE_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    monkeypatch.setenv("PULSE_LOCK_TIMEOUT", "5")
    assert settings.duckdb_memory_limit() == "2GB"
    assert settings.duckdb_temp_directory(warehouse) == tmp_path / "spill"
    assert settings.lock_timeout() == 5.0


def test_bench_stages_pick_and_order_the_stages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestration.bench.__main__ import _stages

    monkeypatch.delenv("PULSE_BENCH_STAGES", raising=False)
    assert [name for name, _ in _stages("1000", tmp_path)] == [
        "generate", "ingest", "health", "predictive", "reports", "peer_pandas", "peer_duckdb",
    ]  # fmt: skip
    monkeypatch.setenv("PULSE_BENCH_STAGES", "generate, ingest,peer_duckdb,health")
    assert [name for name, _ in _stages("1000", tmp_path)] == ["generate", "ingest", "peer_duckdb", "health"]
    monkeypatch.setenv("PULSE_BENCH_STAGES", "generate,ingestion")
    with pytest.raises(ValueError, match="unknown stage ingestion"):
        _stages("1000", tmp_path)
    monkeypatch.setenv("PULSE_BENCH_STAGES", "generate,ingest,health,reports")
    with pytest.raises(ValueError, match="reports needs predictive"):
        _stages("1000", tmp_path)


def test_a_warehouse_named_like_a_schema_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # DuckDB names the database after its file: raw.duckdb would make every raw.x ambiguous.
    monkeypatch.setenv("PULSE_WAREHOUSE", str(tmp_path / "raw.duckdb"))
    with pytest.raises(settings.SettingError, match="raw.duckdb: DuckDB names the database after the file"):
        settings.warehouse_path()
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "ingest"],
        capture_output=True,
        text=True,
        env={**os.environ, "PULSE_WAREHOUSE": str(tmp_path / "Marts.duckdb")},
        check=False,
    )
    assert completed.returncode == 1
    assert "Error: warehouse" in completed.stderr and "choose another file name" in completed.stderr
    assert "Traceback" not in completed.stderr
    monkeypatch.setenv("PULSE_WAREHOUSE", str(tmp_path / "raw_events.duckdb"))
    assert settings.warehouse_path().name == "raw_events.duckdb"
