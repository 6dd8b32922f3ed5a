"""Ingestion: mapping files -> raw tables, idempotent, with rejects, one transaction per file."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from orchestration.ingest import MappingError, ingest, load_mapping, load_mappings
from orchestration.settings import INGEST_PAUSE_ENV
from orchestration.warehouse import RAW_TABLES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
DATASETS = Path(__file__).resolve().parents[1] / "fixtures" / "datasets"
ALL_TABLES = ("loaded_files", "rejects", *RAW_TABLES)


def _landing(tmp_path: Path, *fixtures: str) -> Path:
    landing = tmp_path / "landing"
    for name in fixtures:
        shutil.copytree(FIXTURES / name, landing, dirs_exist_ok=True)
    return landing


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every raw table, in a stable order (JSON as text so rows compare exactly)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: con.execute(f"select * from raw.{table} order by all").fetchall() for table in ALL_TABLES
        }
    finally:
        con.close()


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _segment_line(message_id: str, at: str = "2026-03-01T10:00:00Z", **extra: object) -> str:
    event = {
        "type": "track", "messageId": message_id, "timestamp": at, "userId": "U000001-0001",
        "event": "Login", "properties": {"module": "Admin"}, "context": {"groupId": "A000001"},
    }  # fmt: skip
    event.update(extra)
    return json.dumps(event)


def test_clean_fixtures_load_into_every_raw_table(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(_landing(tmp_path, "clean"), warehouse)
    assert not summary.failures
    assert summary.totals()["rows_rejected"] == 0
    counts = {t: _query(warehouse, f"select count(*) from raw.{t}")[0][0] for t in RAW_TABLES}
    assert counts == {
        "app_events": 6, "helpdesk_tickets": 2, "crm_accounts": 2, "crm_contacts": 1, "crm_activities": 1,
        "subscriptions": 0,
    }  # fmt: skip
    events = {row[0]: row for row in _query(
        warehouse,
        "select message_id, event_type, account_id, user_id, module, event_at, duration_seconds, "
        "properties->>'$.report', properties->>'$._unmapped.context.library.name', traits->>'$.plan', "
        "properties->>'$.name', traits->>'$.email' from raw.app_events",
    )}  # fmt: skip
    assert events["m-1"][1:9] == (
        "track", "A000001", "U000001-0001", "Reports", __import__("datetime").datetime(2026, 3, 1, 9, 0),
        42.0, "weekly", "analytics.js",
    )  # fmt: skip
    # offsets are converted to UTC; group calls carry the account at the top level (coalesce)
    assert str(events["m-2"][5]) == "2026-03-01 08:05:00.500000"
    assert events["m-4"][2] == "A000001" and events["m-4"][9] == "Enterprise"
    # Totango: derived deterministic ids, sdr_o.* -> properties, sdr_u.* -> traits, quoted comma kept
    sdr = [row for key, row in events.items() if key.startswith("sdr-")]
    assert len(sdr) == 2 and {row[10] for row in sdr} == {"Beta, Ltd"}
    assert {row[11] for row in sdr} == {"bo@example.com", "cy@example.com"}
    account = _query(
        warehouse,
        "select sf_id, contract_value, licenses, renewal_date::varchar, parent_sf_id, risk_status, "
        "last_modified_at::varchar from raw.crm_accounts order by sf_id",
    )
    assert account[0] == ("0015g00000AbCdEAAZ", 120000.0, 50, "2026-04-01", None, None, "2026-02-01 08:00:00")
    ticket = _query(
        warehouse, "select subject, solved_at::varchar, attributes->>'$.tags' from raw.helpdesk_tickets "
        "order by updated_at"
    )  # fmt: skip
    assert ticket[0] == ('Export fails, "urgent"', None, "export api")
    assert ticket[1][1] == "2026-03-02 10:00:00"


def test_ingesting_twice_changes_nothing(tmp_path: Path) -> None:
    landing = _landing(tmp_path, "clean", "bad")
    warehouse = tmp_path / "w.duckdb"
    first = ingest(landing, warehouse)
    assert first.totals()["files_loaded"] == 10  # helpdesk/tickets-2026-03.csv: bad overwrites clean
    before = _snapshot(warehouse)
    second = ingest(landing, warehouse)
    assert second.totals()["files_loaded"] == 0
    assert second.totals()["files_skipped"] == 10
    assert second.totals()["rows_loaded"] == 0
    assert _snapshot(warehouse) == before


def test_bad_rows_are_rejected_with_reasons_and_good_rows_load(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(_landing(tmp_path, "bad"), warehouse)
    assert not summary.failures  # bad data never fails the run
    rejects = {
        (path.split("/")[-1], line): reason
        for path, line, reason in _query(warehouse, "select path, line, reason from raw.rejects")
    }
    segment = "segment-2026-03-02.jsonl"
    assert rejects[(segment, 2)] == "invalid JSON"
    assert rejects[(segment, 3)] == "missing required field message_id (messageId)"
    assert (
        rejects[(segment, 4)].startswith("unparseable timestamp for event_at")
        and "yesterday" in rejects[(segment, 4)]
    )
    assert (
        rejects[(segment, 5)].startswith("wrong type for duration_seconds")
        and "'long'" in rejects[(segment, 5)]
    )
    assert rejects[(segment, 6)].startswith("unknown event_type") and "'page'" in rejects[(segment, 6)]
    assert rejects[(segment, 7)] == "not a JSON object"
    assert rejects[("segment-2026-03-03.jsonl.gz", 193)].startswith("truncated gzip file")
    assert rejects[("sdr-2026-03-02.csv", 3)] == "wrong field count: expected 8 fields (header), got 5"
    assert rejects[("Account-2026-03-02.csv", 2)] == "missing column 'Id' in CSV header (needed for sf_id)"
    assert rejects[("Account-2026-03-02.csv", 3)] == "missing column 'Id' in CSV header (needed for sf_id)"
    assert rejects[("tickets-2026-03.csv", 3)].startswith("unparseable timestamp for updated_at")
    assert len(rejects) == 11
    # the raw text of a reject is the line as it was
    raw = _query(
        warehouse, "select raw_text from raw.rejects where line = 2 and path like '%segment-2026-03-02%'"
    )
    assert raw == [('{"type":"track","messageId":"b-2","timestamp":"2026-03-02T09:00:00Z",',)]

    # good rows: line 1, the late 2025 identify call, all complete lines of the truncated gzip, BOM'd CSV rows
    loaded = _query(warehouse, "select _file_id, count(*) from raw.app_events group by all")
    assert sum(count for _, count in loaded) == 2 + 192 + 2
    late = _query(
        warehouse, "select event_at::varchar, traits->>'$.email' from raw.app_events where message_id='b-9'"
    )
    assert late == [("2025-01-02 09:00:00", "late@example.com")]
    # the BOM is not part of the first header name, so sdr_t maps and both good rows load
    assert _query(warehouse, "select count(*) from raw.app_events where message_id like 'sdr-%'") == [(2,)]
    assert _query(warehouse, "select count(*) from raw.helpdesk_tickets") == [(1,)]
    assert _query(warehouse, "select count(*) from raw.crm_accounts") == [(0,)]

    # the summary and the manifest agree with the tables
    totals = summary.totals()
    assert totals["rows_rejected"] == 11 and totals["rows_loaded"] == 2 + 192 + 2 + 1
    by_file = {f.path.split("/")[-1]: f for f in summary.files}
    assert (by_file[segment].rows_read, by_file[segment].rows_loaded, by_file[segment].rows_rejected) == (
        8,
        2,
        6,
    )
    gz = by_file["segment-2026-03-03.jsonl.gz"]
    assert (gz.rows_loaded, gz.rows_rejected) == (192, 1)
    manifest = _query(warehouse, "select sum(rows_loaded), sum(rows_rejected) from raw.loaded_files")
    assert manifest == [(totals["rows_loaded"], totals["rows_rejected"])]
    assert "total" in summary.format()


def test_duplicate_message_ids_load_once(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    (folder / "segment-2026-03-01.jsonl").write_text(
        "\n".join([_segment_line("m-1"), _segment_line("m-2"), _segment_line("m-2", event="Retry")]) + "\n"
    )
    (folder / "segment-2026-03-02.jsonl").write_text(
        "\n".join([_segment_line("m-2"), _segment_line("m-3")]) + "\n"
    )
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(tmp_path / "landing", warehouse)
    assert [(f.rows_loaded, f.rows_duplicate) for f in summary.files] == [(2, 1), (1, 1)]
    rows = _query(warehouse, "select message_id, event_name, _line from raw.app_events order by message_id")
    assert rows == [("m-1", "Login", 1), ("m-2", "Login", 2), ("m-3", "Login", 2)]  # first occurrence wins
    assert _query(warehouse, "select sum(rows_duplicate) from raw.loaded_files") == [(2,)]


def test_unmapped_fields_keep_only_what_no_column_used(tmp_path: Path) -> None:
    # context.groupId is the account: a context with nothing else leaves no empty {} behind, a context with
    # more keeps the rest, and any other top-level field is kept under properties._unmapped.
    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    lines = [
        _segment_line("lean"),
        _segment_line("library", context={"groupId": "A000001", "library": {"name": "analytics.js"}}),
        _segment_line("sent", sentAt="2026-03-01T10:00:01Z"),
        _segment_line("no-context", context=None, groupId="A000001"),
        _segment_line("empty-properties", properties={}, sentAt="2026-03-01T10:00:01Z"),
    ]
    (folder / "segment-2026-03-01.jsonl").write_text("\n".join(lines) + "\n")
    warehouse = tmp_path / "w.duckdb"
    assert not ingest(tmp_path / "landing", warehouse).failures
    rows = dict(_query(warehouse, "select message_id, properties::varchar from raw.app_events"))
    assert json.loads(rows["lean"]) == {"module": "Admin"}
    assert json.loads(rows["library"]) == {
        "module": "Admin", "_unmapped": {"context": {"library": {"name": "analytics.js"}}}
    }  # fmt: skip
    assert json.loads(rows["sent"]) == {"module": "Admin", "_unmapped": {"sentAt": "2026-03-01T10:00:01Z"}}
    assert json.loads(rows["no-context"]) == {"module": "Admin"}  # a null context is nothing to keep
    assert json.loads(rows["empty-properties"]) == {"_unmapped": {"sentAt": "2026-03-01T10:00:01Z"}}


def test_changed_file_loads_as_a_new_version(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    path = folder / "segment-2026-03-01.jsonl"
    path.write_text(_segment_line("m-1") + "\n" + _segment_line("m-2") + "\n")
    warehouse = tmp_path / "w.duckdb"
    ingest(tmp_path / "landing", warehouse)
    path.write_text(_segment_line("m-1") + "\n" + _segment_line("m-2") + "\n" + _segment_line("m-3") + "\n")
    summary = ingest(tmp_path / "landing", warehouse)
    assert [(f.status, f.version, f.rows_loaded, f.rows_duplicate) for f in summary.files] == [
        ("loaded", 2, 1, 2)
    ]
    versions = _query(warehouse, "select path, version, rows_loaded from raw.loaded_files order by version")
    assert versions == [
        ("app_events/segment-2026-03-01.jsonl", 1, 2),
        ("app_events/segment-2026-03-01.jsonl", 2, 1),
    ]
    assert _query(warehouse, "select count(*) from raw.app_events") == [(3,)]


def test_a_killed_load_leaves_nothing_and_the_next_run_loads_the_file_whole(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    (folder / "segment-2026-03-01.jsonl").write_text(_segment_line("first") + "\n")
    warehouse = tmp_path / "w.duckdb"
    ingest(tmp_path / "landing", warehouse)
    before = _snapshot(warehouse)
    lines = [_segment_line(f"big-{i}") for i in range(5000)] + ["{broken"]
    (folder / "segment-2026-03-02.jsonl").write_text("\n".join(lines) + "\n")

    env = {**os.environ, INGEST_PAUSE_ENV: "120"}
    code = "import sys; from orchestration.ingest import ingest; ingest(sys.argv[1], sys.argv[2])"
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "landing"), str(warehouse)],
        cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        # Read what the loader prints without ever blocking, so the deadline can fire.
        deadline = time.monotonic() + 60
        assert child.stderr is not None
        printed = ""
        while "pausing before commit" not in printed:  # rows and rejects are inserted, the commit is next
            remaining = deadline - time.monotonic()
            assert remaining > 0 and child.poll() is None, f"loader never reached the commit:\n{printed}"
            ready, _, _ = select.select([child.stderr], [], [], min(remaining, 0.5))
            if ready:
                printed += os.read(child.stderr.fileno(), 65536).decode(errors="replace")
        pausing = next(line for line in printed.splitlines() if "pausing before commit" in line)
        assert "segment-2026-03-02.jsonl" in pausing
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert _snapshot(warehouse) == before  # nothing of the killed file: no rows, no rejects, no manifest row

    summary = ingest(tmp_path / "landing", warehouse)
    loaded = [f for f in summary.files if f.status == "loaded"]
    assert [(f.path, f.version, f.rows_loaded, f.rows_rejected) for f in loaded] == [
        ("app_events/segment-2026-03-02.jsonl", 1, 5000, 1)
    ]
    assert _query(warehouse, "select count(*) from raw.app_events") == [(5001,)]


def _sparkify_counts(folder: Path) -> dict[str, int]:
    """What the Sparkify files hold, counted from the files themselves (not from the loader)."""
    rows = [
        json.loads(line)
        for path in sorted(folder.glob("*.json"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    identified = [row for row in rows if row.get("userId")]  # "" is missing (README: empty counts as missing)
    return {
        "files": len(list(folder.glob("*.json"))),
        "lines": len(rows),
        "anonymous": len(rows) - len(identified),
        # the mapping's message id hashes (userId, sessionId, itemInSession, ts): distinct keys load once
        "distinct_events": len(
            {(r["userId"], r["sessionId"], r["itemInSession"], r["ts"]) for r in identified}
        ),
        "users": len({row["userId"] for row in identified}),
        "levels": len({row["level"] for row in identified}),
        "first_day": min(
            dt.datetime.fromtimestamp(row["ts"] / 1000, tz=dt.UTC).date() for row in identified
        ).isoformat(),
    }


def _bpi_counts(path: Path) -> dict[str, int]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "rows": len(rows),
        "tickets": len({row["case_id"] for row in rows}),
        "impacts": len({row["impact"] for row in rows}),
        "no_organization": sum(1 for row in rows if not row["organization involved"]),
    }


def test_third_party_logs_load_through_their_mapping_files_only(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(DATASETS / "sparkify_eventsim", landing / "sparkify")
    shutil.copytree(DATASETS / "bpi2013_incidents", landing / "bpi2013")
    expected = _sparkify_counts(landing / "sparkify")
    # tests/fixtures/datasets/README.md describes these files; the counts agree with it
    assert (expected["lines"], expected["anonymous"], expected["users"]) == (8056, 286, 97)
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(landing, warehouse, sources=["sparkify", "bpi2013"])
    assert not summary.failures

    sparkify = summary.totals(["app_events"])
    assert sparkify["files_loaded"] == expected["files"]
    assert sparkify["rows_read"] == expected["lines"]
    assert sparkify["rows_rejected"] == expected["anonymous"]
    assert sparkify["rows_loaded"] == expected["distinct_events"] == expected["lines"] - expected["anonymous"]
    reasons = _query(
        warehouse, "select reason, count(*) from raw.rejects where source = 'sparkify' group by all"
    )
    assert reasons == [("anonymous traffic: no userId", expected["anonymous"])]
    users = _query(
        warehouse,
        "select count(distinct user_id), count(distinct account_id), "
        "bool_and(account_id = 'sparkify-' || user_id), "
        "count(distinct properties->>'$.level'), min(event_at)::date::varchar, "
        "bool_and(event_type = 'track') "
        "from raw.app_events",
    )
    assert users == [
        (expected["users"], expected["users"], True, expected["levels"], expected["first_day"], True)
    ]

    files = list((landing / "bpi2013").iterdir())
    assert len(files) == 1
    log = _bpi_counts(files[0])
    assert (log["rows"], log["tickets"]) == (65533, 7554)  # as the provenance README says
    bpi = summary.totals(["helpdesk_tickets"])
    assert (bpi["rows_loaded"], bpi["rows_rejected"]) == (log["rows"], 0)
    tickets = _query(
        warehouse,
        "select count(*), count(distinct ticket_id), min(updated_at)::varchar, count(distinct priority), "
        "count(*) filter (where account_id is null) from raw.helpdesk_tickets",
    )
    # 2010-03-31T16:59:42+02:00 is 14:59:42 UTC
    assert tickets == [
        (log["rows"], log["tickets"], "2010-03-31 14:59:42", log["impacts"], log["no_organization"])
    ]
    first = _query(
        warehouse, "select status, priority, attributes->>'$.\"lifecycle:transition\"', "
        "attributes->>'$.\"org:resource\"', attributes->>'$.product' "
        "from raw.helpdesk_tickets where _line = 2"
    )  # fmt: skip
    # Volvo's codes are mapped onto Pulse's (values: in the mapping file); the original stays in attributes.
    assert first == [("open", "normal", "In Progress", "Frederic", "PROD582")]
    statuses = {row[0] for row in _query(warehouse, "select distinct status from raw.helpdesk_tickets")}
    assert statuses == {"new", "open", "pending", "hold", "solved", "closed"}
    priorities = {row[0] for row in _query(warehouse, "select distinct priority from raw.helpdesk_tickets")}
    assert priorities == {"low", "normal", "high", "urgent"}


def test_memory_filesystem_landing(tmp_path: Path) -> None:
    import fsspec

    fs = fsspec.filesystem("memory")
    root = f"/pulse-{uuid.uuid4().hex}"
    try:
        for path in (FIXTURES / "clean").rglob("*"):
            if path.is_file():
                fs.pipe_file(f"{root}/{path.relative_to(FIXTURES / 'clean').as_posix()}", path.read_bytes())
        warehouse = tmp_path / "w.duckdb"
        summary = ingest(f"memory://{root}", warehouse)
        assert summary.totals()["files_loaded"] == 6 and not summary.failures
        assert _query(warehouse, "select count(*) from raw.app_events") == [(6,)]
        paths = {row[0] for row in _query(warehouse, "select path from raw.loaded_files")}
        assert "crm/Account-2026-03-01.csv" in paths  # paths are relative to the landing root
        assert ingest(f"memory://{root}", warehouse).totals()["files_loaded"] == 0
    finally:
        fs.rm(root, recursive=True)


MAPPING = """
source: app_events
files: "x-*.jsonl"
format: jsonl
target: app_events
columns:
  message_id: id
  event_type: {const: track}
  event_at: {path: ts, parse: unix_s}
"""


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (("target: app_events", "target: app_event"), "target", "not a raw table"),
        (
            ("message_id: id", "message_id: id\n  evnt: name"),
            "columns.evnt",
            "not a column of raw.app_events",
        ),
        (("parse: unix_s", "parse: unix_minutes"), "columns.event_at.parse", "not iso, unix_s"),
        (("  event_at: {path: ts, parse: unix_s}\n", ""), "columns", "event_at"),
        (("format: jsonl", "format: xml"), "format", "not one of"),
        (('files: "x-*.jsonl"', "filez: x"), "filez", "unknown key"),
        (("message_id: id", "message_id: {path: id, const: 1}"), "columns.message_id", "exactly one of"),
        (("columns:", "unmapped: module\ncolumns:"), "unmapped.into", "not a JSON column"),
        (
            ("parse: unix_s}", "parse: unix_s, values: {a: b}}"),
            "columns.event_at.values",
            "for text columns",
        ),
    ],
)
def test_a_bad_mapping_file_names_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], key: str, words: str
) -> None:
    assert change[0] in MAPPING
    path = tmp_path / "broken.yml"
    path.write_text(MAPPING.replace(change[0], change[1]))
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    message = str(error.value)
    assert str(path) in message and f": {key}" in message and words in message


def test_committed_mappings_are_valid_and_cover_every_format() -> None:
    names = {m.name for m in load_mappings()}
    assert names == {
        "segment", "totango_sdr", "zendesk", "salesforce_account", "salesforce_contact", "salesforce_task",
        "sparkify", "bpi2013", "stripe_subscriptions", "churnsim_subscription", "churnsim_event",
    }  # fmt: skip


def test_a_new_format_is_a_new_yaml_file(tmp_path: Path) -> None:
    """A foreign Parquet export with epoch-second timestamps, mapped without any code change."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "mixpanel.yml").write_text(
        """
source: mixpanel
files: "*.parquet"
format: parquet
target: app_events
columns:
  message_id: {hash: [distinct_id, time, event]}
  event_type: {const: track}
  event_name: event
  user_id: distinct_id
  account_id: props.company
  event_at: {path: time, parse: unix_s}
required: [user_id]
unmapped: properties
"""
    )
    folder = tmp_path / "landing" / "mixpanel"
    folder.mkdir(parents=True)
    table = pa.table({
        "distinct_id": ["u1", "u2", None],
        "event": ["Signup", "Login", "Login"],
        "time": [1767225600, 1767229200, 1767229200],
        "props": [
            {"company": "c1", "plan": "pro"},
            {"company": "c2", "plan": "free"},
            {"company": "c2", "plan": "x"},
        ],
    })  # fmt: skip
    pq.write_table(table, folder / "export.parquet")
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(tmp_path / "landing", warehouse, mappings_dir=mappings)
    assert (summary.totals()["rows_loaded"], summary.totals()["rows_rejected"]) == (2, 1)
    rows = _query(
        warehouse,
        "select user_id, account_id, event_at::varchar, properties->>'$.props.plan' "
        "from raw.app_events "
        "order by user_id"
    )  # fmt: skip
    assert rows == [("u1", "c1", "2026-01-01 00:00:00", "pro"), ("u2", "c2", "2026-01-01 01:00:00", "free")]
    assert _query(warehouse, "select line, reason from raw.rejects") == [
        (3, "missing required field user_id (distinct_id)")
    ]


def test_cli_prints_the_summary(tmp_path: Path) -> None:
    from orchestration.cli import main

    landing = _landing(tmp_path, "clean")
    args = ["ingest", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "app_events" in result.output and "total" in result.output
    only = CliRunner().invoke(main, [*args, "--source", "nope"])
    assert only.exit_code != 0 and "no mapping reads source(s) ['nope']" in only.output


def test_csv_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "helpdesk"
    folder.mkdir(parents=True)
    header = (
        "id,organization_external_id,requester_external_id,subject,status,priority,type,created_at,updated_at"
    )
    (folder / "tickets-2026-03.csv").write_text(
        f"{header}\n"
        '1,A1,U1,"two\nline subject",open,low,task,2026-03-01T08:00:00Z,2026-03-01T08:00:00Z\n'
        "2,A1,U1,short,open,low,task,2026-03-01T08:00:00Z\n"
        "3,A1,U1,ok,open,low,task,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z\n"
    )
    warehouse = tmp_path / "w.duckdb"
    ingest(tmp_path / "landing", warehouse)
    assert _query(warehouse, "select ticket_id, _line, subject from raw.helpdesk_tickets order by _line") == [
        ("1", 2, "two\nline subject"),
        ("3", 5, "ok"),
    ]
    assert _query(warehouse, "select line, reason from raw.rejects") == [
        (4, "wrong field count: expected 9 fields (header), got 8")
    ]


def test_a_file_claimed_by_two_mappings_is_an_error(tmp_path: Path) -> None:
    from orchestration.ingest import IngestError

    mappings = tmp_path / "mappings"
    mappings.mkdir()
    for name in ("one", "two"):
        (mappings / f"{name}.yml").write_text(MAPPING.replace('"x-*.jsonl"', '"*.jsonl"'))
    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    (folder / "x-1.jsonl").write_text('{"id": "1", "ts": 0}\n')
    with pytest.raises(IngestError, match="matches more than one mapping"):
        ingest(tmp_path / "landing", tmp_path / "w.duckdb", mappings_dir=mappings)


def _without_load_times(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Rows minus the columns that record when (and how long) a load ran."""
    drop = {"loaded_files": (12, 13), "rejects": (7,)}
    stripped = {}
    for table, rows in snapshot.items():
        skip = drop.get(table, (-1,))  # the raw tables end in _loaded_at
        stripped[table] = sorted(
            tuple(v for i, v in enumerate(row) if i not in skip and not (skip == (-1,) and i == len(row) - 1))
            for row in rows
        )
    return stripped


def test_batched_staging_loads_exactly_what_file_by_file_loading_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small files of one mapping share a staging statement; the result must not depend on it."""
    from orchestration.ingest import loader

    landing = _landing(tmp_path, "clean", "bad")
    folder = landing / "app_events"
    for day in range(10, 16):  # ids repeated inside a file, across files of a batch, and across runs
        lines = [_segment_line(f"d-{day}-{i}") for i in range(3)] + [_segment_line(f"d-{day - 1}-1")]
        lines += [_segment_line(f"d-{day}-0", event="Again"), "{broken", _segment_line("first")]
        (folder / f"segment-2026-04-{day}.jsonl").write_text("\n".join(lines) + "\n")
    batched, single = tmp_path / "batched.duckdb", tmp_path / "single.duckdb"
    first = ingest(landing, batched)
    monkeypatch.setattr(loader, "BATCH_FILES", 1)
    assert [f.__dict__ | {"seconds": 0} for f in ingest(landing, single).files] == [
        f.__dict__ | {"seconds": 0} for f in first.files
    ]
    assert _without_load_times(_snapshot(batched)) == _without_load_times(_snapshot(single))
    by_file = {f.path.rsplit("/", 1)[-1]: f for f in first.files}
    opening = by_file["segment-2026-04-10.jsonl"]  # "first" and d-9-1 are new when first seen
    assert (opening.rows_loaded, opening.rows_duplicate, opening.rows_rejected) == (5, 1, 1)
    later = by_file["segment-2026-04-11.jsonl"]
    assert (later.rows_loaded, later.rows_duplicate, later.rows_rejected) == (3, 3, 1)


def test_a_failed_file_in_a_batch_does_not_take_the_others_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.ingest import loader

    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    for day, ids in ((1, ["a", "b"]), (2, ["b", "c"]), (3, ["c", "d"])):
        (folder / f"segment-2026-03-0{day}.jsonl").write_text("\n".join(map(_segment_line, ids)) + "\n")
    real = loader._commit_file

    def failing(con, pending, *args, **kwargs):  # type: ignore[no-untyped-def]
        if pending.file.path.endswith("03-02.jsonl"):
            raise duckdb.IOException("disk went away")
        return real(con, pending, *args, **kwargs)

    monkeypatch.setattr(loader, "_commit_file", failing)
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(tmp_path / "landing", warehouse)
    assert [(f.status, f.rows_loaded, f.rows_duplicate) for f in summary.files] == [
        ("loaded", 2, 0),
        ("failed", 0, 0),
        ("loaded", 2, 0),  # c is new again: the file that had it first was rolled back
    ]
    assert _query(warehouse, "select message_id, _line from raw.app_events order by 1") == [
        ("a", 1), ("b", 2), ("c", 1), ("d", 2),
    ]  # fmt: skip
    monkeypatch.setattr(loader, "_commit_file", real)
    retry = ingest(tmp_path / "landing", warehouse)
    assert [(f.status, f.rows_loaded, f.rows_duplicate) for f in retry.files] == [
        ("skipped", 0, 0),
        ("loaded", 0, 2),
        ("skipped", 0, 0),
    ]


# Per-file counts of the bad-input fixture (tests/fixtures/ingest/README.md lists each bad line):
# (rows read, loaded, duplicate, rejected)
BAD_FILES = {
    "app_events/sdr-2026-03-02.csv": (3, 2, 0, 1),  # a short row
    "app_events/segment-2026-03-02.jsonl": (8, 2, 0, 6),  # 6 broken lines of 8
    "app_events/segment-2026-03-03.jsonl.gz": (193, 192, 0, 1),  # truncated: the cut line
    "crm/Account-2026-03-02.csv": (2, 0, 0, 2),  # no Id column
    "helpdesk/tickets-2026-03.csv": (2, 1, 0, 1),  # a bad timestamp
}


def test_pulse_ingest_on_the_bad_fixture_prints_counts_and_exits_0(tmp_path: Path) -> None:
    """Bad rows never fail the command: exit 0, the per-source table adds up to the per-file manifest."""
    from tests.support.commands import pulse

    landing, warehouse = _landing(tmp_path, "bad"), tmp_path / "w.duckdb"
    args = ["ingest", "--landing", str(landing), "--warehouse", str(warehouse), "--quiet"]
    first = pulse(*args, env=dict(os.environ), check=False)
    assert first.returncode == 0, first.stderr
    # source, files loaded / skipped / failed, rows, duplicates, rejected (the seconds column varies)
    printed = [line.split()[:7] for line in first.stdout.splitlines()[1:]]
    assert printed == [
        ["app_events", "3", "0", "0", "196", "0", "8"],
        ["crm", "1", "0", "0", "0", "0", "2"],
        ["helpdesk", "1", "0", "0", "1", "0", "1"],
        ["total", "5", "0", "0", "197", "0", "11"],
    ], first.stdout
    manifest = _query(
        warehouse,
        "select path, rows_read, rows_loaded, rows_duplicate, rows_rejected from raw.loaded_files",
    )
    assert {path: counts for path, *counts in manifest} == {p: list(c) for p, c in BAD_FILES.items()}
    reasons = _query(
        warehouse,
        "select source, split_part(reason, ':', 1), count(*) from raw.rejects group by all "
        "order by 3 desc, 1, 2 limit 2",
    )
    assert reasons == [
        ("crm", "missing column 'Id' in CSV header (needed for sf_id)", 2),
        ("app_events", "invalid JSON", 1),
    ]
    again = pulse(*args, env=dict(os.environ), check=False)
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1].split()[:7] == ["total", "0", "5", "0", "0", "0", "0"]
