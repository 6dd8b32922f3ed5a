"""Data completeness (issue 13): health as of the last complete day; stray events days ahead.

Each test works on a private copy of the session's built warehouse and lands extra files the way a user's
extracts would arrive, then ingests and builds.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb

from tests.support.commands import BuiltWarehouse
from tests.support.landing import (
    data_source,
    days_from,
    ingest_and_build,
    land_usual_days,
    last_day,
    private_copy,
    ranks_on,
    write_events,
)

NEW_ACCOUNT = "A-STRAY-0001"


def test_stray_events_days_ahead_change_nothing_until_the_data_catches_up(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    copy = private_copy(built_warehouse, tmp_path / "stray")
    as_of = last_day(copy.warehouse)
    before = ranks_on(copy.warehouse, as_of)
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
    ingest_and_build(copy)

    assert last_day(copy.warehouse) == as_of
    assert ranks_on(copy.warehouse, as_of) == before
    usage = data_source(copy.warehouse, "app_events")
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
    land_usual_days(copy, days_from(as_of + timedelta(days=1), 19), "catch-up")
    ingest_and_build(copy)
    assert last_day(copy.warehouse) == stray_day
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    counted = con.execute(
        "select active_days_7d from marts.fct_account_health_daily where account_id = ? and as_of_date = ?",
        [NEW_ACCOUNT, stray_day],
    ).fetchone()
    con.close()
    assert counted is not None and counted[0] == 1, "counted once the data catches up"
