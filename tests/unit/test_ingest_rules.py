"""Input rules of the formats (mapping key `rules`), and a property test of the readers and mappings: any
input either loads or is rejected with a reason, and never fails the run."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.ingest import MappingError, ingest, load_mapping

SDR_HEADER = ["sdr_t", "sdr_o", "sdr_u", "sdr_a", "sdr_m", "sdr_dur"]


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _event(message_id: str, kind: str = "track", **fields: object) -> dict:
    event: dict = {"type": kind, "messageId": message_id, "timestamp": "2026-03-01T10:00:00Z"}
    event.update(fields)
    return {key: value for key, value in event.items() if value is not None}


def test_segment_rules_reject_each_broken_call_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "app_events"
    folder.mkdir(parents=True)
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    events = [
        _event("ok-track", userId="u1", event="Login"),
        _event("anonymous-track", anonymousId="a1", event="Login"),  # anonymousId is enough
        _event("no-name", userId="u1"),
        _event("empty-name", userId="u1", event=""),  # empty counts as missing
        _event("nobody", event="Login"),
        _event("ok-identify", "identify", userId="u1"),
        _event("anonymous-identify", "identify", anonymousId="a1"),
        _event("ok-group", "group", userId="u1", groupId="A1"),
        _event("context-group", "group", userId="u1", context={"groupId": "A1"}),
        _event("clock-skew", userId="u1", event="Login", timestamp=soon),  # within the 24 h tolerance
        _event("future", userId="u1", event="Login", timestamp=later),
    ]
    (folder / "segment-2026-03-01.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(tmp_path / "landing", warehouse)
    assert not summary.failures
    loaded = {row[0] for row in _query(warehouse, "select message_id from raw.app_events")}
    assert loaded == {"ok-track", "anonymous-track", "ok-identify", "ok-group", "clock-skew"}
    reasons = dict(_query(warehouse, "select line, reason from raw.rejects"))
    assert reasons[3] == reasons[4] == "track call without an event name"
    assert reasons[5] == "track call without userId or anonymousId"
    assert reasons[7] == "identify call without userId"
    assert reasons[9] == "group call without groupId"
    assert reasons[11].startswith(
        "event_at in the future: more than 24 h after the load (rules[4] of segment"
    )
    assert later[:10] in reasons[11]
    assert len(reasons) == 6


def test_rules_live_in_the_mapping_file_and_are_validated(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yml"
    base = (
        "source: x\nfiles: '*.jsonl'\nformat: jsonl\ntarget: app_events\n"
        "columns: {message_id: id, event_type: {const: track}, event_at: ts, user_id: user}\n"
    )
    mapping.write_text(base + "rules:\n  - {when: {event_typ: track}, require: [user_id]}\n")
    with pytest.raises(MappingError, match=r"rules\[0\]\.when\.event_typ: is not a mapped column"):
        load_mapping(mapping)
    mapping.write_text(base + "rules:\n  - {not_in_future: user_id}\n")
    with pytest.raises(MappingError, match=r"rules\[0\]\.not_in_future: 'user_id' is not a mapped timestamp"):
        load_mapping(mapping)
    mapping.write_text(base + "rules:\n  - {require: [nope]}\n")
    with pytest.raises(MappingError, match=r"rules\[0\]\.require\[0\]: 'nope' is not a mapped column"):
        load_mapping(mapping)
    # a rule without a reason gets one that names the rule and the file
    mapping.write_text(base + "rules:\n  - {require_any: [user_id, {field: anon}]}\n")
    folder = tmp_path / "landing" / "x"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_text(
        '{"id": "1", "ts": "2026-01-01"}\n{"id": "2", "ts": "2026-01-01", "anon": "a"}\n'
    )
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    mapping.rename(mappings / "m.yml")
    warehouse = tmp_path / "w.duckdb"
    ingest(tmp_path / "landing", warehouse, mappings_dir=mappings)
    assert _query(warehouse, "select line, reason from raw.rejects") == [
        (1, "every row needs user_id or anon (rules[0] of m.yml)")
    ]


# -- property test ------------------------------------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
STAMPS = st.sampled_from(
    ["2026-03-01T10:00:00Z", "2026-03-01T12:00:00+02:00", "2025-12-31 23:59:59", "2999-01-01T00:00:00Z",
     "yesterday", "", "1772359200"]
)  # fmt: skip
JSON_VALUES = st.one_of(
    st.none(), TEXT, st.integers(-(2**70), 2**70), st.floats(), st.booleans(),
    st.lists(st.integers(), max_size=2), st.dictionaries(TEXT, TEXT, max_size=2),
)  # fmt: skip
SEGMENT = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["track", "identify", "group", "page", "", "TRACK"]) | JSON_VALUES,
        "messageId": TEXT | JSON_VALUES,
        "timestamp": STAMPS | JSON_VALUES,
        "userId": TEXT | JSON_VALUES,
        "anonymousId": TEXT,
        "event": TEXT | JSON_VALUES,
        "groupId": TEXT,
        "context": st.fixed_dictionaries({}, optional={"groupId": TEXT | JSON_VALUES}) | JSON_VALUES,
        "properties": st.fixed_dictionaries(
            {}, optional={"module": TEXT | JSON_VALUES, "duration_seconds": JSON_VALUES | TEXT}
        )
        | JSON_VALUES,
        "traits": JSON_VALUES,
    },
)
JSON_LINE = st.one_of(
    SEGMENT.map(lambda event: json.dumps(event).encode()),
    SEGMENT.map(lambda event: json.dumps(event, ensure_ascii=False).encode()),
    st.binary(max_size=30).filter(lambda b: b"\n" not in b),  # broken JSON, invalid UTF-8, blank
    st.sampled_from([b"", b"   ", b"[1, 2]", b'"text"', b"{", b"null", b'{"type": "track"}\r']),
)
SDR_ROW = st.tuples(STAMPS | TEXT, TEXT, TEXT, TEXT, TEXT, TEXT | st.just("12.5")).map(list) | st.lists(
    TEXT, max_size=8
)  # the wrong number of fields too


def _csv_text(rows: list[list[str]]) -> tuple[bytes, list[int], list[str]]:
    """The CSV bytes, the physical line each row starts on and its text (counted from the written text)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SDR_HEADER)
    lines, texts, line = [], [], 2
    for row in rows:
        before = out.tell()
        writer.writerow(row)
        text = out.getvalue()[before:]
        lines.append(line)
        texts.append(text)
        line += text.count("\n")
    return out.getvalue().encode(), lines, texts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_lines=st.lists(JSON_LINE, max_size=12), sdr_rows=st.lists(SDR_ROW, max_size=8))
def test_any_input_loads_or_is_rejected_with_a_reason(
    json_lines: list[bytes], sdr_rows: list[list[str]]
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        folder = root / "landing" / "app_events"
        folder.mkdir(parents=True)
        (folder / "segment-2026-03-01.jsonl").write_bytes(b"\n".join(json_lines))
        sdr, starts, texts = _csv_text(sdr_rows)
        (folder / "sdr-2026-03-01.csv").write_bytes(sdr)
        warehouse = root / "w.duckdb"
        summary = ingest(root / "landing", warehouse)

        assert summary.failures == []  # never crashes the run
        for result in summary.files:
            assert result.rows_read == result.rows_loaded + result.rows_duplicate + result.rows_rejected
        rejects = _query(warehouse, "select path, line, reason from raw.rejects")
        assert all(reason and reason.strip() for _, _, reason in rejects)
        by_file = {f.path.rsplit("/", 1)[-1]: f for f in summary.files}

        # JSON lines: every line that is not blank is a row, loaded (or a duplicate) or rejected
        physical = [line.removesuffix(b"\r") for line in b"\n".join(json_lines).split(b"\n")]
        rows = [n for n, line in enumerate(physical, 1) if line.strip(b" ")]
        assert by_file["segment-2026-03-01.jsonl"].rows_read == len(rows)
        rejected = {line for path, line, _ in rejects if path.endswith(".jsonl")}
        assert rejected <= set(rows)

        # CSV: every row starts on the line computed from the written text; a loaded row has its fields back
        expected = {line: row for line, row in zip(starts, sdr_rows, strict=True)}
        data_rows = {line for line, text in zip(starts, texts, strict=True) if text.rstrip("\n").strip(" ")}
        assert by_file["sdr-2026-03-01.csv"].rows_read == len(data_rows)
        rejected = {line for path, line, _ in rejects if path.endswith(".csv")}
        assert rejected <= data_rows
        for line, name, module in _query(
            warehouse, "select _line, event_name, module from raw.app_events where _source = 'app_events' "
            "and message_id like 'sdr-%'"
        ):  # fmt: skip
            assert line in data_rows and line not in rejected
            assert (name, module or "") == (expected[line][3], expected[line][4])
