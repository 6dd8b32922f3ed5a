"""Throughput benchmark of the sample-data generator (called by `make bench`).

`bench_generate(1_000_000, "var/bench")` generates about a million events and reports
events, seconds, events_per_second and peak_rss_mb. The run happens in a fresh Python process so
the peak memory is the generator's own, not whatever the caller had allocated before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH_DAYS = 365
# Measured with the default settings: ~8,300 events per account over a 365-day period
# (so 1M events ~ --accounts 120 --days 365, 10M ~ --accounts 1200 --days 365).
EVENTS_PER_ACCOUNT_YEAR = 8_300
BENCH_SEED = 7


def accounts_for(events_target: int) -> int:
    """The --accounts that gives about events_target events over BENCH_DAYS days."""
    return max(1, round(events_target / EVENTS_PER_ACCOUNT_YEAR))


def _child(accounts: int, out_dir: str, use_gzip: bool) -> None:
    import resource

    from orchestration.generate.core import GenerateConfig, generate_dataset

    summary = generate_dataset(
        GenerateConfig(
            accounts=accounts,
            days=BENCH_DAYS,
            seed=BENCH_SEED,
            out=Path(out_dir),
            gzip=use_gzip,
            clean=True,
        )
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss  # kilobytes on Linux
    bytes_written = sum(f.stat().st_size for f in Path(out_dir).rglob("*") if f.is_file())
    print(
        json.dumps(
            {
                **summary.as_dict(),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
                "bytes_written": bytes_written,
            }
        )
    )


def bench_generate(events_target: int, out_dir: str | Path, use_gzip: bool = False) -> dict:
    """Generate about events_target events into out_dir (replacing earlier output) and measure it."""
    accounts = accounts_for(events_target)
    load_before = os.getloadavg()[0]  # the machine may be shared: a busy one lowers events_per_second
    code = (
        "import sys; from orchestration.bench.generate import _child; "
        "_child(int(sys.argv[1]), sys.argv[2], sys.argv[3] == '1')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(accounts), str(out_dir), "1" if use_gzip else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "events_target": events_target,
        "events": result["events"],
        "seconds": result["seconds"],
        "events_per_second": result["events_per_second"],
        "peak_rss_mb": result["peak_rss_mb"],
        "accounts": accounts,
        "days": BENCH_DAYS,
        "bytes_written": result["bytes_written"],
        "cpu_seconds": result["cpu_seconds"],
        "load_average_before": round(load_before, 2),
        "out": str(out_dir),
    }


if __name__ == "__main__":
    for target in (int(a) for a in (sys.argv[1:] or ["1000000", "10000000"])):
        print(json.dumps(bench_generate(target, Path("var/bench") / f"generate-{target}")))
