"""The one Dagster code location: small definition modules by domain, merged."""

from __future__ import annotations

import dagster as dg

from orchestration.defs import (
    automation,
    dbt,
    digests,
    ingestion,
    predictive,
    quality,
    release,
    reports,
    sync,
)

# DuckDB allows one writing process: run every step in the run's own process, one after another.
defs = dg.Definitions.merge(
    ingestion.defs,
    quality.defs,
    dbt.defs,
    predictive.defs,
    release.defs,
    reports.defs,
    digests.defs,
    sync.defs,
    automation.defs,
    dg.Definitions(executor=dg.in_process_executor),
)
