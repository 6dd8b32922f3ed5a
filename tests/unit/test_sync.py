"""The CRM sync against a local server implementing the Salesforce and HubSpot endpoints it uses
(orchestration/sync/local_crm.py): diffing, retries, partial failures, records in doubt, credentials."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.sync import Credentials, SyncConfigError, load_destination, sync_destination
from orchestration.sync.credentials import Secret
from orchestration.sync.http import retry_after_seconds
from orchestration.sync.local_crm import Behaviour, LocalCrm
from tests.support.sync_fixtures import (
    AS_OF,
    build_payload_warehouse,
    crm_id,
    destination,
    destination_file,
    payload_rows,
    write_payload,
)

FIELD = {"salesforce": "Pulse_Insights__c", "hubspot": "pulse_insights"}


@pytest.fixture
def crm():
    with LocalCrm() as server:
        yield server


def credentials(crm: LocalCrm, kind: str) -> Credentials:
    if kind == "salesforce":
        return Credentials(base_url=crm.url, client_id=crm.client_id, client_secret=Secret(crm.client_secret))
    return Credentials(base_url=crm.url, access_token=Secret(crm.hubspot_token))


class Syncer:
    def __init__(self, warehouse: Path, crm: LocalCrm | None, tmp_path: Path):
        self.warehouse, self.crm, self.tmp_path = warehouse, crm, tmp_path
        self.log: list[str] = []

    def __call__(self, dest, **kwargs):
        con = duckdb.connect(str(self.warehouse))
        try:
            creds = credentials(self.crm, dest.type) if dest.is_remote else Credentials()
            return sync_destination(
                con,
                dest,
                released_day=kwargs.pop("released_day", AS_OF),
                credentials=creds,
                log=self.log.append,
                sync_dir=self.tmp_path / "sync",
                **kwargs,
            )
        finally:
            con.close()

    def set_tags(self, account_number: int, tags: str | None) -> None:
        self.rows[account_number - 1]["insights_tags"] = tags
        con = duckdb.connect(str(self.warehouse))
        try:
            write_payload(con, self.rows)
        finally:
            con.close()

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def make_syncer(tmp_path: Path, crm: LocalCrm | None, accounts: int = 30, without: int = 0) -> Syncer:
    syncer = Syncer(build_payload_warehouse(tmp_path / "w.duckdb", accounts, without), crm, tmp_path)
    syncer.rows = payload_rows(accounts, without)  # type: ignore[attr-defined]
    return syncer


@pytest.mark.parametrize("kind", ["salesforce", "hubspot"])
def test_sends_every_record_then_only_what_changed(tmp_path: Path, crm: LocalCrm, kind: str) -> None:
    sync = make_syncer(tmp_path, crm, accounts=30, without=2)
    dest = destination(tmp_path, kind, batch_size=10)

    first = sync(dest)
    assert (first.status, first.sent, first.failed) == ("succeeded", 28, 0)
    assert first.no_crm_id == ["A000029", "A000030"]  # reported, not sent
    assert len(crm.updates(kind)) == 3  # batches of 10
    assert crm.applied_count(kind) == {crm_id(n): 1 for n in range(1, 29)}
    assert crm.records[(kind, crm_id(1))][FIELD[kind]] == "Onboarding;Yellow"

    crm.reset_counts()
    second = sync(dest)
    assert (second.sent, second.unchanged, second.changed) == (0, 28, 0)
    assert crm.updates(kind) == []

    sync.set_tags(5, "Established;Green;Renewal")
    third = sync(dest)
    assert (third.sent, third.unchanged) == (1, 27)
    assert crm.sent_ids(kind) == [crm_id(5)]
    assert crm.records[(kind, crm_id(5))][FIELD[kind]] == "Established;Green;Renewal"

    # An account that lost all its tags: clearing the field is a change.
    crm.reset_counts()
    sync.set_tags(1, None)
    fourth = sync(dest)
    assert fourth.sent == 1 and crm.sent_ids(kind) == [crm_id(1)]
    assert crm.records[(kind, crm_id(1))][FIELD[kind]] in (None, "")  # Salesforce null, HubSpot ''
    outcomes = sync.query(
        "select outcome, count(*) from sync.record_outcomes where run_id = ? group by all order by 1",
        [fourth.run_id],
    )
    assert outcomes == [("no_crm_id", 2), ("sent", 1), ("unchanged", 27)]
    (changes,) = sync.query(
        "select changes from sync.record_outcomes where run_id = ? and outcome = 'sent'", [fourth.run_id]
    )[0]
    assert changes == f"{FIELD[kind]}: Onboarding;Yellow -> (empty)"


def test_dry_run_prints_the_diff_and_sends_and_stores_nothing(tmp_path: Path, crm: LocalCrm) -> None:
    sync = make_syncer(tmp_path, crm, accounts=12)
    dest = destination(tmp_path, "salesforce")
    sync(dest)
    runs = sync.query("select count(*) from sync.runs")
    crm.reset_counts()
    sync.set_tags(2, "Renewal")
    preview = sync(dest, dry_run=True)
    assert preview.status == "dry_run" and preview.changed == 1
    assert preview.diff == [
        f"  {crm_id(2)} (A000002, Account 2 & Sons)  Pulse_Insights__c: Established;Expansion;Red -> Renewal"
    ]
    assert crm.requests == [] and sync.query("select count(*) from sync.runs") == runs
    assert sync(dest).sent == 1  # the real run sends it


def test_retries_429_500_timeout_and_a_rejected_record_is_sent_next_run(
    tmp_path: Path, crm: LocalCrm
) -> None:
    sync = make_syncer(tmp_path, crm, accounts=20)
    dest = destination(tmp_path, "salesforce", batch_size=5, timeout_seconds=0.5, retries=4)
    crm.script.extend(
        [
            Behaviour("status", 429, headers={"Retry-After": "1"}),
            Behaviour("status", 500),
            Behaviour("timeout", seconds=1.5),
        ]
    )
    crm.rejected[crm_id(7)] = "entity is deleted"
    first = sync(dest)
    updates = crm.updates("salesforce")
    assert [u["status"] for u in updates[:4]] == [429, 500, 0, 200]  # the first batch's four attempts
    assert updates[1]["at"] - updates[0]["at"] >= 1.0  # Retry-After honoured (the backoff alone is 0.01 s)
    assert (first.status, first.sent, first.failed) == ("partial", 19, 1)
    assert first.failures == [(crm_id(7), "A000007", "ENTITY_IS_DELETED: entity is deleted")]
    assert any("HTTP 429" in line and "retrying in 1.0 s" in line for line in sync.log)
    assert sync.query(
        "select error from sync.record_outcomes where run_id = ? and outcome = 'failed'", [first.run_id]
    ) == [("ENTITY_IS_DELETED: entity is deleted",)]
    assert sync.query("select count(*) from sync.fingerprints where record_id = ?", [crm_id(7)]) == [(0,)]

    del crm.rejected[crm_id(7)]
    crm.reset_counts()
    second = sync(dest)
    assert (second.status, second.sent, second.unchanged) == ("succeeded", 1, 19)
    assert crm.sent_ids("salesforce") == [crm_id(7)]


def test_a_server_down_stops_the_run_and_the_next_run_sends_everything_once(
    tmp_path: Path, crm: LocalCrm
) -> None:
    sync = make_syncer(tmp_path, crm, accounts=20)
    dest = destination(tmp_path, "hubspot", batch_size=5, retries=3)
    crm.script.extend([Behaviour("status", 503)] * 3)
    first = sync(dest)
    assert (first.status, first.sent, first.failed) == ("failed", 0, 20)
    assert len(crm.updates("hubspot")) == 3  # one batch's attempts; the rest were not tried
    assert first.failures[0][2].startswith("HTTP 503 Service Unavailable")
    assert first.failures[-1][2].startswith("not sent: the run stopped after HTTP 503")
    second = sync(dest)
    assert (second.status, second.sent) == ("succeeded", 20)
    assert crm.applied_count("hubspot") == {crm_id(n): 1 for n in range(1, 21)}


def test_records_in_doubt_are_confirmed_not_sent_twice(tmp_path: Path, crm: LocalCrm) -> None:
    """The server applies a batch but answers too late: the next run reads it back instead of resending."""
    sync = make_syncer(tmp_path, crm, accounts=12)
    dest = destination(tmp_path, "salesforce", batch_size=4, timeout_seconds=0.5, retries=1)
    crm.script.append(Behaviour("apply_then_stall", seconds=1.5))
    first = sync(dest)
    assert (first.status, first.sent, first.failed) == ("failed", 0, 12)
    assert crm.applied_count("salesforce") == {crm_id(n): 1 for n in range(1, 5)}  # applied, never answered
    assert sync.query("select count(*) from sync.pending") == [(4,)]
    second = sync(dest)
    assert (second.status, second.confirmed, second.sent) == ("succeeded", 4, 8)
    assert crm.applied_count("salesforce") == {crm_id(n): 1 for n in range(1, 13)}
    assert sync.query("select count(*) from sync.pending") == [(0,)]
    assert sync.query("select count(*) from sync.fingerprints") == [(12,)]


def test_data_loader_file_has_only_changed_records_and_na_for_cleared_values(tmp_path: Path) -> None:
    sync = make_syncer(tmp_path, None, accounts=8, without=1)
    dest = destination(tmp_path, "dataloader")
    first = sync(dest)
    with Path(first.target).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Id"] for row in rows] == [crm_id(n) for n in range(1, 8)]
    assert rows[2]["Pulse_Insights__c"] == "#N/A"  # account 3 has no tags: Data Loader sets null from #N/A
    assert rows[0]["Pulse_Health_Changed__c"] == str(AS_OF - dt.timedelta(days=1))
    assert sync(dest).target == str(tmp_path / "sync" / "dataloader")  # nothing changed: no file
    sync.set_tags(2, "Green")
    third = sync(dest)
    with Path(third.target).open(newline="") as handle:
        assert [(row["Id"], row["Pulse_Insights__c"]) for row in csv.DictReader(handle)] == [
            (crm_id(2), "Green")
        ]


def test_a_held_day_is_not_synced(tmp_path: Path, crm: LocalCrm) -> None:
    sync = make_syncer(tmp_path, crm, accounts=5)
    summary = sync(destination(tmp_path, "salesforce"), released_day=AS_OF - dt.timedelta(days=1))
    assert summary.status == "held" and "pulse confirm 2026-03-01" in (summary.error or "")
    assert crm.requests == []
    assert sync.query("select status from sync.runs") == [("held",)]


def test_credentials_appear_in_no_log_error_table_or_page(tmp_path: Path, crm: LocalCrm) -> None:
    from orchestration.reports import build_site

    sync = make_syncer(tmp_path, crm, accounts=10)
    salesforce = destination(tmp_path, "salesforce", batch_size=5, retries=2)
    hubspot = destination(tmp_path, "hubspot", batch_size=5, retries=2)
    # A careless server echoes the Authorization header in its error bodies.
    crm.script.extend([Behaviour("echo_auth", 500)] * 2)
    failed = sync(salesforce)
    crm.script.extend([Behaviour("echo_auth", 500)] * 2)
    failed_hubspot = sync(hubspot)
    assert failed.status == failed_hubspot.status == "failed"
    assert "internal error while handling Authorization: Bearer [redacted]" in failed.failures[0][2]
    assert sync(salesforce).status == sync(hubspot).status == "succeeded"
    # A wrong secret: the token request is refused.
    wrong = Credentials(
        base_url=crm.url, client_id=crm.client_id, client_secret=Secret("wrong-secret-123456")
    )
    con = duckdb.connect(str(sync.warehouse))
    sync.set_tags(1, "Renewal")
    try:
        refused = sync_destination(
            con, salesforce, released_day=AS_OF, credentials=wrong, log=sync.log.append
        )
    finally:
        con.close()
    assert refused.status == "failed" and "authentication failed" in refused.failures[0][2]

    secrets = {crm.client_secret, crm.hubspot_token, "wrong-secret-123456", *crm.valid_tokens}
    assert len(crm.valid_tokens) >= 2
    texts = [*sync.log, *(e for s in (failed, failed_hubspot, refused) for _, _, e in s.failures)]
    con = duckdb.connect(str(sync.warehouse), read_only=True)
    try:
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall():
            texts += [str(v) for (v,) in con.execute(f'select "{column}" from {schema}.{table}').fetchall()]
    finally:
        con.close()
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "sync.md").write_text((PROJECT_ROOT / "reports" / "sync.md").read_text())
    site = build_site(sync.warehouse, tmp_path / "site", pages, workers=1)
    assert site.errors == []
    texts.append((tmp_path / "site" / "sync.html").read_text())
    assert "internal error while handling Authorization" in "\n".join(texts)  # the errors are there ...
    for secret in secrets:
        assert not [text for text in texts if secret in text]  # ... without the credentials


def test_destination_files_are_validated_with_file_key_and_allowed(tmp_path: Path) -> None:
    cases = [
        (
            {"fields": {"Pulse_Insights__c": "insight_tags"}},
            "fields.Pulse_Insights__c: unknown payload column",
        ),
        ({"batch_size": 300}, "batch_size: 300 is out of range; allowed: a whole number from 1 to 200"),
        (
            {"type": "pipedrive"},
            "type: 'pipedrive' is not a destination type; allowed: dataloader, salesforce",
        ),
        ({"record_id": "crm_id"}, "record_id: 'crm_id' is not a payload column; allowed: account_id"),
        ({"colour": "red"}, "colour: unknown key for a salesforce destination; allowed: name, type"),
    ]
    for overrides, message in cases:
        path = destination_file(tmp_path, "salesforce", **overrides)
        with pytest.raises(SyncConfigError) as error:
            load_destination(path)
        assert str(path.name) in str(error.value) and message in str(error.value), str(error.value)


def test_retry_after_in_seconds_or_an_http_date() -> None:
    now = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:07 GMT", now) == 7.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_bench_stage_syncs_every_record_to_each_destination_type(tmp_path: Path) -> None:
    from orchestration.bench.sync import bench_sync

    result = bench_sync(str(tmp_path), records=250)
    assert result["requests"] == 2 + 3  # Salesforce 200 a request, HubSpot 100 (the file needs none)
    for kind in ("salesforce", "hubspot", "dataloader"):
        assert result[f"{kind}_records_per_second"] > 0
    assert result["rows_per_second"] == result["salesforce_records_per_second"]


def test_a_remote_destination_without_credentials_names_the_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration import settings
    from orchestration.sync import SyncError, credentials_for

    for name in (
        settings.SALESFORCE_URL_ENV,
        settings.SALESFORCE_ACCESS_TOKEN_ENV,
        settings.SALESFORCE_CLIENT_ID_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.SALESFORCE_CLIENT_SECRET_ENV, "a-secret-without-its-client-id")
    creds = credentials_for("salesforce")
    assert not creds.configured and "a-secret" not in repr(creds)
    con = duckdb.connect(str(build_payload_warehouse(tmp_path / "w.duckdb", 3)))
    try:
        with pytest.raises(SyncError, match="salesforce is not configured: set PULSE_SALESFORCE_URL, "):
            sync_destination(con, destination(tmp_path, "salesforce"), released_day=AS_OF, credentials=creds)
    finally:
        con.close()


def test_edits_made_in_the_crm_show_in_the_sync_log_once(tmp_path: Path) -> None:
    """The CRM's Account export brings Pulse's fields back (unmapped columns land in
    raw.crm_accounts.attributes): a value edited in the CRM after Pulse sent it is recorded, once, and the
    record is not re-sent for it."""
    from orchestration.warehouse import ensure_raw_schema

    sync = make_syncer(tmp_path, None, accounts=6)
    dest = destination(tmp_path, "dataloader")
    sync(dest)
    con = duckdb.connect(str(sync.warehouse))
    try:
        ensure_raw_schema(con)
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
        con.executemany(
            "insert into raw.crm_accounts (sf_id, last_modified_at, attributes, _source, _file_id, _line, "
            "_loaded_at) values (?, ?, ?, 'crm', 'f', 1, ?)",
            [
                # edited by a person: the tags and the rank
                (crm_id(2), later, '{"Pulse_Insights__c": "Renewal", "Pulse_Health_Rank__c": "Good"}', later),
                # the same values Pulse sent (multi-select order and number format aside): no edit
                (
                    crm_id(4),
                    later,
                    '{"Pulse_Insights__c": "Green;Established", "Pulse_Engagement_Score__c": "4"}',
                    later,
                ),
            ],
        )
    finally:
        con.close()
    second = sync(dest)
    assert second.sent == 0
    assert second.crm_edits == [
        f"{crm_id(2)} (A000002) Pulse_Insights__c: Established;Expansion;Red -> Renewal; "
        "Pulse_Health_Rank__c: Poor -> Good"
    ]
    assert sync.query("select record_id, changes from sync.record_outcomes where outcome = 'crm_edited'") == [
        (crm_id(2), second.crm_edits[0].split(") ", 1)[1])
    ]
    assert sync(dest).crm_edits == []  # seen once
    assert sync.query("select count(*) from sync.crm_edits") == [(2,)]
    from orchestration.reports import build_site

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "sync.md").write_text((PROJECT_ROOT / "reports" / "sync.md").read_text())
    assert build_site(sync.warehouse, tmp_path / "site", pages, workers=1).errors == []
    html = (tmp_path / "site" / "sync.html").read_text()
    assert "Edited in the CRM" in html and "Renewal" in html and "Account-update-" in html


def test_an_expired_salesforce_token_is_renewed_and_a_shared_crm_id_is_refused(
    tmp_path: Path, crm: LocalCrm
) -> None:
    sync = make_syncer(tmp_path, crm, accounts=6)
    sync.rows[5]["crm_account_id"] = crm_id(1)  # account 6 claims account 1's CRM record
    con = duckdb.connect(str(sync.warehouse))
    try:
        write_payload(con, sync.rows)
        creds = Credentials(
            base_url=crm.url,
            client_id=crm.client_id,
            client_secret=Secret(crm.client_secret),
            access_token=Secret("00Dexpired!token-from-yesterday"),
        )
        summary = sync_destination(
            con,
            destination(tmp_path, "salesforce"),
            released_day=AS_OF,
            credentials=creds,
            log=sync.log.append,
        )
    finally:
        con.close()
    statuses = [(r["kind"], r["status"]) for r in crm.requests]
    assert statuses == [("update", 401), ("token", 200), ("update", 200)]
    assert (summary.status, summary.sent, summary.failed) == ("partial", 5, 1)
    assert summary.failures == [
        (crm_id(1), "A000006", f"CRM id {crm_id(1)} is also the id of account A000001; not sent")
    ]
    assert crm.applied_count("salesforce") == {crm_id(n): 1 for n in range(1, 6)}
