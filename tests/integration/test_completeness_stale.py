"""Data completeness (issue 13): a stalled required source makes its metrics unknown, not Poor.

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
    land_csm_touches,
    land_usual_days,
    last_day,
    private_copy,
    ranks_on,
)


def test_a_stalled_required_source_makes_its_metrics_unknown_not_poor(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    as_of = last_day(built_warehouse.warehouse)
    stalled = days_from(as_of + timedelta(days=1), 10)

    # Usage stops for ten days while the CRM keeps sending CSM activities.
    copy = private_copy(built_warehouse, tmp_path / "stalled")
    land_csm_touches(copy, stalled, "stall")
    ingest_and_build(copy)

    end = stalled[-1]
    assert last_day(copy.warehouse) == end
    usage = data_source(copy.warehouse, "app_events")
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
    ingest_and_build(copy)

    # The same files landed together, in one run: what an uninterrupted source gives.
    uninterrupted = private_copy(built_warehouse, tmp_path / "uninterrupted")
    land_csm_touches(uninterrupted, stalled, "stall")
    land_usual_days(uninterrupted, stalled, "late-usage")
    ingest_and_build(uninterrupted)

    for day in stalled:
        assert ranks_on(copy.warehouse, day) == ranks_on(uninterrupted.warehouse, day), day
    assert not data_source(copy.warehouse, "app_events")["is_stale"]
