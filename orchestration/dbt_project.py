"""The dbt project, and the one way Pulse runs dbt outside Dagster (Dagster runs it with dagster-dbt).

`run_dbt(["build", "--select", "..."])` runs the dbt of the environment Pulse runs in, in a child process
with its own environment (os.environ is never changed), against the warehouse of the settings (or the one
given), and writes dbt's log to var/logs/dbt.log. The warehouse path reaches dbt's profile as the dbt var
`pulse_warehouse` (profiles.yml falls back to $PULSE_WAREHOUSE for a bare `dbt` command): always absolute,
so a relative PULSE_WAREHOUSE means the directory Pulse was run from, whatever dbt's working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# The dbt vars profiles.yml reads the warehouse path, DuckDB's memory limit and its spill folder from.
WAREHOUSE_VAR = "pulse_warehouse"
MEMORY_LIMIT_VAR = "pulse_memory_limit"
TEMP_DIRECTORY_VAR = "pulse_temp_directory"
# Everything dbt parses: a change to any of these makes the manifest stale.
_DBT_INPUTS = (
    PROJECT_ROOT / "models",
    PROJECT_ROOT / "seeds",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    DBT_PROJECT_DIR / "profiles.yml",
)
# The event rollups (tag event_rollup) and the staging views they read: a daily run's first dbt step rebuilds
# them for a day range; a second step builds everything else (orchestration/defs/dbt.py, the bench).
EVENT_ROLLUPS_SELECT = "+tag:event_rollup,resource_type:model"
# The day range the event rollups rebuild, as environment variables the rollups' macro reads with env_var
# (dbt_project/macros/event_days_to_rebuild.sql): when it changes, dbt re-parses only the models that read it,
# where a changed --vars re-parses the whole project (several seconds of every daily run).
MIN_DATE_ENV = "PULSE_MIN_DATE"
MAX_DATE_ENV = "PULSE_MAX_DATE"
# Flags run_dbt sets itself; passing them in args would give dbt two values.
_OWN_FLAGS = ("--vars", "--project-dir", "--profiles-dir", "--log-path", "--target-path")


def rollup_days_env(min_date: str, max_date: str) -> dict[str, str]:
    """The environment that makes the event rollups rebuild min_date to max_date (ISO days, inclusive)."""
    return {MIN_DATE_ENV: min_date, MAX_DATE_ENV: max_date}


def dbt_executable() -> str:
    """dbt from the environment Pulse runs in (beside its Python, e.g. .venv/bin/dbt), else from PATH.

    So `.venv/bin/pulse` and `.venv/bin/dagster dev` work without activating the virtual environment.
    """
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError(f"dbt not found beside {sys.executable} nor on PATH: run `make setup`")
    return found


def _warehouse_file(warehouse: Path | str | None) -> Path:
    """The warehouse given (absolute, its name checked), else the settings' one."""
    if warehouse is None:
        return settings.warehouse_path()
    return settings.checked_warehouse_name(Path(warehouse).resolve())


def dbt_vars(warehouse: Path | str | None = None, extra: Mapping[str, Any] | None = None) -> str:
    """The --vars JSON of every Pulse dbt invocation: the absolute warehouse path, DuckDB's memory limit and
    spill folder for it (settings.dbt_memory_limit, settings.duckdb_temp_directory), plus any model vars.

    Keys are sorted so the same vars give the same string (dbt reuses its partial parse only then).
    """
    path = _warehouse_file(warehouse)
    own = {
        WAREHOUSE_VAR: str(path),
        MEMORY_LIMIT_VAR: settings.dbt_memory_limit(),
        TEMP_DIRECTORY_VAR: str(settings.duckdb_temp_directory(path)),
    }
    return json.dumps({**(extra or {}), **own}, sort_keys=True)


@dataclass(frozen=True)
class DbtRun:
    """One finished dbt command: exit code, what it printed (when captured), wall time and peak memory."""

    command: list[str]
    returncode: int
    output: str
    seconds: float
    peak_rss_mb: float
    log_file: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def check(self) -> DbtRun:
        if not self.ok:
            raise DbtError(self)
        return self


class DbtError(RuntimeError):
    def __init__(self, run: DbtRun) -> None:
        self.run = run
        subcommand = " ".join(run.command[1:3])
        tail = run.output[-3000:].rstrip()
        super().__init__(
            f"dbt {subcommand} ... failed (exit {run.returncode}); dbt's log: {run.log_file}\n{tail}"
        )


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: Path | str | None = None,
    extra_vars: Mapping[str, Any] | None = None,
    extra_env: Mapping[str, str] | None = None,
    target_path: Path | None = None,
    log_dir: Path | None = None,
    capture: bool = True,
    project_dir: Path | None = None,
) -> DbtRun:
    """Run `dbt <args>` on the Pulse project in a child process and wait for it.

    args: the subcommand and its own flags (`["build", "--select", "int_usage_daily+"]`); model vars go in
    extra_vars, environment variables for dbt (e.g. rollup_days_env) in extra_env. target_path: dbt's
    target folder, by default dbt-target/run_dbt beside the warehouse, never the project's target/: its
    manifest is Dagster's, written only by ensure_manifest, and a dbt run rewriting it while a Dagster
    process starts gives that process half a file. capture: keep dbt's console output in DbtRun.output
    instead of passing it to this process's. project_dir: another copy of the dbt project (a test's edited
    copy); by default Pulse's own.
    """
    if any(arg.split("=")[0] in _OWN_FLAGS for arg in args):
        raise ValueError(f"run_dbt sets {', '.join(_OWN_FLAGS)} itself: use its keyword arguments")
    log_dir = log_dir or settings.log_dir()
    project_dir = project_dir or DBT_PROJECT_DIR
    warehouse_file = _warehouse_file(warehouse)
    log_dir.mkdir(parents=True, exist_ok=True)
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--log-path",
        str(log_dir),
        "--vars",
        dbt_vars(warehouse_file, extra_vars),
    ]
    if target_path is None:
        target_path = settings.dbt_target_dir(warehouse_file) / "run_dbt"
    env = {**os.environ, **(extra_env or {}), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    # dbt's own variable for --target-path, which some commands (debug) do not take as a flag
    env["DBT_TARGET_PATH"] = str(target_path)
    if capture:
        env["DBT_USE_COLORS"] = "false"  # plain text in DbtRun.output and error messages
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=project_dir,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
        text=True,
    )
    output = process.stdout.read() if process.stdout is not None else ""
    # wait4: this child's own peak memory (RUSAGE_CHILDREN would be the largest child so far).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stdout is not None:
        process.stdout.close()
    return DbtRun(
        command=command,
        returncode=process.returncode,
        output=output,
        seconds=time.monotonic() - started,
        peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        log_file=log_dir / "dbt.log",
    )


def dbt_input_files() -> list[tuple[Path, str]]:
    """Every file dbt parses, with its path relative to the project root, in a stable order."""
    files = []
    for root in _DBT_INPUTS:
        paths = [root] if root.is_file() else root.rglob("*") if root.exists() else []
        files += [(path, str(path.relative_to(PROJECT_ROOT))) for path in paths if path.is_file()]
    return sorted(files, key=lambda item: item[1])


def _newest_input_mtime() -> float:
    return max((path.stat().st_mtime for path, _ in dbt_input_files()), default=0.0)


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
        # Parsed beside it, then moved into place in one step: a process starting meanwhile reads the old
        # manifest or the new one, never half of one. (The folder is kept: dbt reuses its partial parse.)
        parse_target = MANIFEST_PATH.parent / "parse"
        run_dbt(["parse", "--quiet"], target_path=parse_target).check()
        MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
        os.replace(parse_target / "manifest.json", MANIFEST_PATH)
    return MANIFEST_PATH
