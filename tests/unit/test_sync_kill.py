"""`pulse sync` killed (SIGKILL) while the CRM is answering a batch it has already applied, then run again:
every record ends up in the CRM exactly once, and the credentials are in none of the command's output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.sync.local_crm import LocalCrm
from tests.support.commands import PROJECT_ROOT
from tests.support.sync_fixtures import build_payload_warehouse, crm_id

ACCOUNTS = 1000  # five batches of 200
DEADLINE_SECONDS = 60


def _env(warehouse: Path, crm: LocalCrm) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PULSE_", "DAGSTER_"))}
    env.update(
        {
            settings.WAREHOUSE_ENV: str(warehouse),
            settings.SALESFORCE_URL_ENV: crm.url,
            settings.SALESFORCE_CLIENT_ID_ENV: crm.client_id,
            settings.SALESFORCE_CLIENT_SECRET_ENV: crm.client_secret,
        }
    )
    return env


def _sync(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "sync", "--destination", "salesforce"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_killed_sync_then_a_new_one_send_every_record_exactly_once(tmp_path: Path) -> None:
    warehouse = build_payload_warehouse(tmp_path / "w.duckdb", accounts=ACCOUNTS)
    with LocalCrm() as crm:
        env = _env(warehouse, crm)
        crm.stall_after_apply = 0.5  # each batch is applied, then answered half a second later
        child = _sync(env)
        deadline = time.monotonic() + DEADLINE_SECONDS
        # Kill while the second batch is applied but not yet answered.
        while len([u for u in crm.updates("salesforce") if u["status"] == 200]) < 2:
            assert child.poll() is None, child.communicate()[0]
            assert time.monotonic() < deadline, "the sync never reached its second batch"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        first_output = child.communicate(timeout=30)[0]
        assert child.returncode == -signal.SIGKILL
        applied_before = crm.applied_count("salesforce")
        assert sum(applied_before.values()) == 400  # two batches applied, the second never acknowledged

        crm.stall_after_apply = 0
        second = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "sync", "--destination", "salesforce"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
            check=False,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        assert crm.applied_count("salesforce") == {crm_id(n): 1 for n in range(1, ACCOUNTS + 1)}
        reads = [r for r in crm.requests if r["kind"] == "read"]
        assert reads and len({i for r in reads for i in r["ids"]}) == 200  # the batch in doubt, read back
        assert "200 confirmed already in the CRM" in second.stdout

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select status from sync.runs order by started_at").fetchall() == [
            ("interrupted",),
            ("succeeded",),
        ]
        assert con.execute(
            "select count(*), count(distinct record_id) from sync.fingerprints"
        ).fetchone() == (
            ACCOUNTS,
            ACCOUNTS,
        )
        assert con.execute("select count(*) from sync.pending").fetchone() == (0,)
    finally:
        con.close()
    output = first_output + second.stdout + second.stderr
    for secret in (crm.client_secret, *crm.valid_tokens):
        assert secret not in output
