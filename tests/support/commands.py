"""Running Pulse the way a user does: the `pulse` command, and the warehouse a test session builds with it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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
        env.pop("PULSE_SMTP_HOST", None)  # a test run never sends mail, whatever the developer's shell has
        # The CRM sync's credentials: a test run never syncs to a real CRM.
        for name in [key for key in env if key.startswith(("PULSE_SALESFORCE_", "PULSE_HUBSPOT_"))]:
            env.pop(name)
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
