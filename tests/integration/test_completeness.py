"""Data completeness (issue 13): health as of the last complete day, stale sources, the brake on mass changes.

Each test works on a private copy of the session's built warehouse and lands extra files the way a user's
extracts would arrive, then runs `pulse run`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from tests.support.commands import BuiltWarehouse, pulse
from tests.support.landing import (
    land_csm_touches,
    land_usual_days,
    last_day,
    private_copy,
    write_events,
)

NEW_ACCOUNT = "A-STRAY-0001"


def _ranks_on(warehouse: Path, day: date) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select account_id, health_rank, health_score, reason from marts.fct_account_health_daily "
            "where as_of_date = ?",
            [day],
        ).fetchall()
    finally:
        con.close()
    return {row[0]: row[1:] for row in rows}


def _source(warehouse: Path, source: str) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute("select * from marts.dim_data_sources where source = ?", [source])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))
    finally:
        con.close()


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(count)]


def test_stray_events_days_ahead_change_nothing_until_the_data_catches_up(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    copy = private_copy(built_warehouse, tmp_path / "stray")
    as_of = last_day(copy.warehouse)
    before = _ranks_on(copy.warehouse, as_of)
    stray_day = as_of + timedelta(days=19)
    write_events(
        copy,
        "stray",
        [
            {
                "type": "track",
                "messageId": f"stray-{number}",
                "timestamp": f"{stray_day.isoformat()}T10:0{number}:00.000Z",
                "userId": "U-STRAY-1",
                "event": "Report Viewed",
                "properties": {"module": "Reports"},
                "context": {"groupId": NEW_ACCOUNT},
            }
            for number in range(4)
        ],
    )
    pulse("run", env=copy.env())

    assert last_day(copy.warehouse) == as_of
    assert _ranks_on(copy.warehouse, as_of) == before
    usage = _source(copy.warehouse, "app_events")
    assert (usage["latest_data_date"], usage["watermark_date"], usage["as_of_date"]) == (
        stray_day,
        as_of,
        as_of,
    )
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    kept = con.execute("select count(*) from raw.app_events where account_id = ?", [NEW_ACCOUNT]).fetchone()[
        0
    ]
    con.close()
    assert kept == 4, "events after the as-of date are loaded and kept"

    # The product's usual traffic arrives for the nineteen days: the watermark passes the stray events.
    land_usual_days(copy, _days(as_of + timedelta(days=1), 19), "catch-up")
    pulse("run", env=copy.env())
    assert last_day(copy.warehouse) == stray_day
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    counted = con.execute(
        "select active_days_7d from marts.fct_account_health_daily where account_id = ? and as_of_date = ?",
        [NEW_ACCOUNT, stray_day],
    ).fetchone()
    con.close()
    assert counted is not None and counted[0] == 1, "counted once the data catches up"


def test_a_stalled_required_source_makes_its_metrics_unknown_not_poor(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    as_of = last_day(built_warehouse.warehouse)
    stalled = _days(as_of + timedelta(days=1), 10)

    # Usage stops for ten days while the CRM keeps sending CSM activities.
    copy = private_copy(built_warehouse, tmp_path / "stalled")
    land_csm_touches(copy, stalled, "stall")
    pulse("run", env=copy.env())

    end = stalled[-1]
    assert last_day(copy.warehouse) == end
    usage = _source(copy.warehouse, "app_events")
    assert usage["is_stale"] and usage["stale_since"] == as_of
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    stale_reason = f"usage data stale since {as_of.isoformat()}"
    unknown, poor_by_usage, active_days = con.execute(
        """
        select
            count(*) filter (where health.health_rank = 'Unknown' and health.reason like ?),
            (select count(*) from marts.fct_account_health_reasons_daily as reasons
             where reasons.as_of_date > ? and reasons.metric in
                 ('active_days_7d', 'active_days_14d', 'days_since_last_activity')),
            count(health.active_days_14d)
        from marts.fct_account_health_daily as health
        where health.as_of_date > ?
        """,
        [f"%{stale_reason}%", as_of, as_of],
    ).fetchone()
    con.close()
    assert unknown > 0, "accounts with nothing but usage criteria are Unknown, with the stale reason"
    assert poor_by_usage == 0, "no usage criterion is evaluated on the days usage data is missing"
    assert active_days == 0, "usage metrics are unknown (null) while the source is stale"

    # The usage data for those ten days arrives: history is recomputed.
    land_usual_days(copy, stalled, "late-usage")
    pulse("run", env=copy.env())

    # The same files landed together, in one run: what an uninterrupted source gives.
    uninterrupted = private_copy(built_warehouse, tmp_path / "uninterrupted")
    land_csm_touches(uninterrupted, stalled, "stall")
    land_usual_days(uninterrupted, stalled, "late-usage")
    pulse("run", env=uninterrupted.env())

    for day in stalled:
        assert _ranks_on(copy.warehouse, day) == _ranks_on(uninterrupted.warehouse, day), day
    assert not _source(copy.warehouse, "app_events")["is_stale"]
