"""The daily partitions of usage rollups (shared by the dbt assets, the schedule and `pulse run`)."""

from __future__ import annotations

import os

# Events older than this still load and are built by the first (full) build; partitions only bound re-runs.
DEFAULT_PARTITION_START = "2025-01-01"


def partition_start() -> str:
    return os.environ.get("PULSE_PARTITION_START", DEFAULT_PARTITION_START)


def daily_partitions():
    import dagster as dg

    # The newest partition is yesterday: the schedule's 05:30 run rolls up the day that just ended.
    return dg.DailyPartitionsDefinition(start_date=partition_start())
