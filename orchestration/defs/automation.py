"""One daily schedule builds the whole graph (yesterday's usage partition plus everything downstream)."""

from __future__ import annotations

import dagster as dg

daily_build_job = dg.define_asset_job(
    name="daily_build",
    selection=dg.AssetSelection.all(),
    description="Ingest new landing files, rebuild the day's rollups, the marts, checks and reports.",
)

daily_build_schedule = dg.build_schedule_from_partitioned_job(
    daily_build_job,
    hour_of_day=5,
    minute_of_hour=30,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(jobs=[daily_build_job], schedules=[daily_build_schedule])
