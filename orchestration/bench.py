"""`make bench`: throughput and peak memory of every stage at 1M and 10M events, in one run.

Each stage runs in a fresh subprocess so its peak RSS is its own (resource.getrusage of the child).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [int(size) for size in os.environ.get("PULSE_BENCH_SIZES", "1000000,10000000").split(",")]


def _child(stage: str, **kwargs: object) -> dict:
    """Run one stage in a child Python and return its result dict plus the child's peak RSS."""
    code = (
        "import json, resource, sys\n"
        f"from orchestration.bench_stages import run_stage\n"
        f"result = run_stage({stage!r}, **json.loads(sys.argv[1]))\n"
        "result['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print('BENCH-RESULT ' + json.dumps(result, default=str))\n"
    )
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", code, json.dumps(kwargs, default=str)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-4000:])
        raise SystemExit(f"bench stage {stage} failed")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH-RESULT "))
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    result.setdefault("seconds", time.monotonic() - started)
    return result


def main() -> None:
    root = Path(os.environ.get("PULSE_BENCH_DIR", tempfile.mkdtemp(prefix="pulse-bench-")))
    rows: list[tuple[str, int, dict]] = []
    for size in SIZES:
        landing = root / f"landing-{size}"
        warehouse = root / f"warehouse-{size}.duckdb"
        print(f"== {size:,} events (files under {root})", flush=True)
        for stage, kwargs in (
            ("generate", {"events_target": size, "out_dir": str(landing)}),
            ("ingest", {"landing_dir": str(landing), "warehouse_path": str(warehouse)}),
            ("health", {"warehouse_path": str(warehouse)}),
            ("reports", {"warehouse_path": str(warehouse), "out_dir": str(root / f"site-{size}")}),
        ):
            result = _child(stage, **kwargs)
            rows.append((stage, size, result))
            print(f"  {stage:<8} {json.dumps(result, default=str)}", flush=True)
    print("\nstage     events       result")
    for stage, size, result in rows:
        print(f"{stage:<9} {size:>11,}  {result}")


if __name__ == "__main__":
    main()
