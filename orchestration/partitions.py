"""The daily partitions of usage rollups (shared by the dbt assets, the schedule and `pulse run`)."""

from __future__ import annotations

from orchestration.settings import partition_start


def daily_partitions():
    import dagster as dg

    # The newest partition is yesterday: the schedule's 05:30 run rolls up the day that just ended.
    return dg.DailyPartitionsDefinition(start_date=partition_start())
