"""The stages `make bench` measures, each callable in a fresh child process (see bench/__main__.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run_stage(stage: str, **kwargs: Any) -> dict:
    if stage == "generate":
        from orchestration.bench.generate import bench_generate

        return bench_generate(int(kwargs["events_target"]), kwargs["out_dir"])
    if stage == "generate_demo":
        # The demo's sample (300 accounts, one year): the size the report timing is quoted for.
        from orchestration.generate.core import GenerateConfig, generate_dataset

        config = GenerateConfig(accounts=300, days=365, seed=42, out=Path(kwargs["out_dir"]))
        summary = generate_dataset(config)
        return {
            "events": summary.events,
            "accounts": summary.accounts,
            "seconds": round(summary.seconds, 2),
            "events_per_second": round(summary.events_per_second),
        }
    if stage == "ingest":
        from orchestration.bench.ingest import bench_ingest

        return bench_ingest(kwargs["landing_dir"], kwargs["warehouse_path"])
    if stage == "health":
        from orchestration.bench.health import bench_health

        return bench_health(kwargs["warehouse_path"])
    if stage == "predictive":
        from orchestration.bench.predictive import bench_predictive

        return bench_predictive(kwargs["warehouse_path"])
    if stage == "reports":
        from orchestration.bench.reports import bench_reports

        return bench_reports(kwargs["warehouse_path"], kwargs["out_dir"])
    if stage == "sync":
        from orchestration.bench.sync import bench_sync

        return bench_sync(kwargs["out_dir"], int(kwargs.get("records", 10_000)))
    if stage == "peer_pandas":
        from orchestration.bench.peers import pandas_health

        return pandas_health(kwargs["landing_dir"])
    if stage == "peer_duckdb":
        from orchestration import settings
        from orchestration.bench.peers import duckdb_health

        configured = settings._env(settings.DUCKDB_MEMORY_LIMIT_ENV)  # only when set: else DuckDB's default
        return duckdb_health(kwargs["landing_dir"], memory_limit=configured)
    raise ValueError(f"unknown bench stage {stage!r}")
