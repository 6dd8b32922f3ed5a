"""The ingestion assets materialize through Dagster; the landing sensor asks for a run only when needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture()
def pulse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "clean", landing)
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("PULSE_LANDING", str(landing))
    monkeypatch.setenv("PULSE_WAREHOUSE", str(warehouse))
    return landing, warehouse


def test_ingestion_assets_materialize(pulse_env: tuple[Path, Path]) -> None:
    from orchestration.defs.ingestion import (
        defs,
        raw_app_events,
        raw_crm,
        raw_helpdesk_tickets,
        raw_subscriptions,
    )

    _, warehouse = pulse_env
    keys = {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {("raw", t) for t in ("app_events", "helpdesk_tickets", "crm_accounts", "crm_contacts",
                                         "crm_activities", "subscriptions")}  # fmt: skip
    result = dg.materialize([raw_app_events, raw_helpdesk_tickets, raw_crm, raw_subscriptions])
    assert result.success
    metadata = {
        tuple(event.asset_key.path): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert metadata[("raw", "app_events")]["rows_loaded"].value == 6
    assert metadata[("raw", "app_events")]["files_loaded"].value == 2
    assert metadata[("raw", "app_events")]["rows_rejected"].value == 0
    assert metadata[("raw", "app_events")]["rows_duplicate"].value == 0
    assert metadata[("raw", "crm_accounts")]["rows_loaded"].value == 2
    assert metadata[("raw", "crm_activities")]["rows_loaded"].value == 1
    assert metadata[("raw", "helpdesk_tickets")]["rows_loaded"].value == 2
    assert metadata[("raw", "subscriptions")]["files_loaded"].value == 0  # no billing export in this landing
    con = duckdb.connect(str(warehouse), read_only=True)  # the asset closed its connection
    try:
        assert con.execute("select count(*) from raw.loaded_files").fetchone()[0] == 6
    finally:
        con.close()
    again = dg.materialize([raw_app_events])
    assert again.success
    event = again.get_asset_materialization_events()[0]
    assert event.materialization.metadata["files_loaded"].value == 0


def _evaluate(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    from orchestration.defs.ingestion import landing_files_sensor

    with dg.instance_for_test() as instance:
        return landing_files_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))


def test_sensor_requests_a_run_only_for_new_files(pulse_env: tuple[Path, Path]) -> None:
    from orchestration.ingest import ingest

    landing, warehouse = pulse_env
    # nothing loaded yet: every landing file is new
    first = _evaluate(None)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1

    ingest(landing, warehouse)
    # after ingestion (outside Dagster), the same files are known: no run, but the cursor is recorded
    loaded = _evaluate(None)
    assert isinstance(loaded, dg.SensorResult) and not loaded.run_requests
    cursor = loaded.cursor
    nothing = _evaluate(cursor)
    assert isinstance(nothing, dg.SkipReason)

    (landing / "app_events" / "segment-2026-03-05.jsonl").write_text(
        '{"type":"track","messageId":"n-1","timestamp":"2026-03-05T10:00:00Z","userId":"U1","event":"Login"}\n'
    )
    new = _evaluate(cursor)
    assert isinstance(new, dg.SensorResult) and len(new.run_requests) == 1
    request = new.run_requests[0]
    assert request.run_key and request.tags["pulse/new_files"] == "1"
    # until it is loaded the file stays pending, with the same run key (Dagster launches a run key once)
    pending = _evaluate(new.cursor)
    assert isinstance(pending, dg.SensorResult) and pending.run_requests[0].run_key == request.run_key
    ingest(landing, warehouse)
    done = _evaluate(pending.cursor)
    assert isinstance(done, dg.SensorResult) and not done.run_requests
    assert isinstance(_evaluate(done.cursor), dg.SkipReason)


def test_ingestion_assets_on_the_bad_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad rows do not fail the assets; each asset's metadata has its table's files, rows and rejects, and the
    run log has the summary table."""
    from orchestration.defs.ingestion import raw_app_events, raw_crm, raw_helpdesk_tickets

    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "bad", landing)
    monkeypatch.setenv("PULSE_LANDING", str(landing))
    monkeypatch.setenv("PULSE_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_app_events, raw_helpdesk_tickets, raw_crm], instance=instance)
        logged = "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))
    assert result.success
    counts = {
        tuple(event.asset_key.path)[1]: tuple(
            event.materialization.metadata[name].value
            for name in ("files_loaded", "rows_loaded", "rows_duplicate", "rows_rejected")
        )
        for event in result.get_asset_materialization_events()
    }
    assert counts == {
        "app_events": (3, 196, 0, 8),  # sdr 2 + 1, segment 2 + 6, truncated gzip 192 + 1
        "helpdesk_tickets": (1, 1, 0, 1),
        "crm_accounts": (1, 0, 0, 2),  # no Id column: both rows rejected
        "crm_contacts": (0, 0, 0, 0),  # the fixture's CRM folder has only an Account export
        "crm_activities": (0, 0, 0, 0),
    }
    # the app_events asset logs the loader's summary: its source line and total
    summary = logged.split("ingest app_events from", 1)[1]
    assert [line.split()[:7] for line in summary.splitlines()[2:4]] == [
        ["app_events", "3", "0", "0", "196", "0", "8"],
        ["total", "3", "0", "0", "196", "0", "8"],
    ], summary[:600]
