"""Ingestion throughput: `bench_ingest(landing_dir, warehouse_path)` (called by `make bench`), and a
standalone run on synthetic Segment events: `uv run python -m orchestration.bench.ingest --events 300000`.
"""

from __future__ import annotations

import json
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click


def bench_ingest(landing_dir: str, warehouse_path: str) -> dict:
    """Ingest everything under landing_dir into warehouse_path; rows counted are rows loaded (all sources)."""
    from orchestration.ingest.loader import ingest
    from orchestration.ingest.mapping import load_mappings

    started = time.monotonic()
    summary = ingest(landing_dir, warehouse_path, progress=False)
    seconds = time.monotonic() - started
    totals = summary.totals()
    rows = totals["rows_read"]
    formats = {m.name: m.format for m in load_mappings()}
    by_format: dict[str, dict[str, float]] = {}
    for result in summary.files:  # seconds per file: its share of reading and staging, and its commit
        row = by_format.setdefault(formats.get(result.mapping, "?"), {"rows": 0, "seconds": 0.0})
        row["rows"] += result.rows_read
        row["seconds"] += result.seconds
    for row in by_format.values():
        row["rows_per_second"] = round(row["rows"] / row["seconds"]) if row["seconds"] else None
        row["seconds"] = round(row["seconds"], 2)
    return {
        "rows": rows,
        "rows_loaded": totals["rows_loaded"],
        "rows_rejected": totals["rows_rejected"],
        "files": totals["files_loaded"],
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "by_format": by_format,
    }


def synthesize_segment(
    out_dir: Path, events: int, days: int = 30, accounts: int = 300, seed: int = 1
) -> None:
    """Segment-shaped track calls, one file per day, for throughput measurements only."""
    rng = random.Random(seed)
    folder = out_dir / "app_events"
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    modules = ["Reports", "Dashboards", "Alerts", "Admin", "Integrations"]
    per_day = events // days
    counter = 0
    for day in range(days):
        lines = []
        for _ in range(per_day if day < days - 1 else events - per_day * (days - 1)):
            counter += 1
            account = rng.randint(1, accounts)
            at = start + timedelta(days=day, seconds=rng.randint(0, 86399), milliseconds=rng.randint(0, 999))
            lines.append(
                json.dumps(
                    {
                        "type": "track",
                        "messageId": f"m-{seed}-{counter}",
                        "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                        "userId": f"U{account:06d}-{rng.randint(1, 20):04d}",
                        "event": "Report Viewed",
                        "properties": {
                            "module": rng.choice(modules),
                            "duration_seconds": round(rng.random() * 120, 1),
                        },
                        "context": {"groupId": f"A{account:06d}", "library": {"name": "analytics.js"}},
                    }
                )
            )
        (folder / f"segment-{(start + timedelta(days=day)).date()}.jsonl").write_text("\n".join(lines) + "\n")


@click.command()
@click.option("--events", default=300_000, show_default=True)
@click.option("--days", default=30, show_default=True)
def main(events: int, days: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="pulse-bench-ingest-"))
    synthesize_segment(root / "landing", events, days)
    first = bench_ingest(str(root / "landing"), str(root / "warehouse.duckdb"))
    click.echo(f"first run:  {json.dumps(first)}")
    again = bench_ingest(str(root / "landing"), str(root / "warehouse.duckdb"))
    click.echo(f"second run: {json.dumps(again)}  (all files skipped)")
    click.echo(f"files under {root}")


if __name__ == "__main__":
    main()
