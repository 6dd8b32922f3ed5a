"""Report rendering throughput: how long the whole site takes for a given warehouse."""

from __future__ import annotations

from pathlib import Path


def bench_reports(warehouse_path: str | Path, out_dir: str | Path) -> dict:
    from orchestration.reports import build_site

    result = build_site(warehouse_path, out_dir)
    return {
        "pages": len(result.pages),
        "seconds": round(result.seconds, 3),
        "failed_pages": len(result.errors),
        "pages_per_second": round(len(result.pages) / result.seconds, 1) if result.seconds else None,
    }
