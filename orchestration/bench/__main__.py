"""`make bench`: throughput and peak memory of every stage, in one run on this machine.

Sizes: the demo sample (300 accounts, one year: generate, ingest, dbt, render every page) and 1M / 10M
generated events (generate, ingest, full dbt build, one-day incremental build beside a bare DuckDB scan).
Each stage runs in a fresh child process so its peak RSS is its own.
Size `sync` is the CRM sync: 10,000 changed records to a local CRM server, in records per second.
PULSE_BENCH_SIZES=demo,1000000 narrows the run; PULSE_BENCH_DIR keeps its files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orchestration import settings


def _child(stage: str, **kwargs: object) -> dict:
    """Run one stage in a child Python and return its result, with the child's peak RSS if it has none."""
    code = (
        "import json, resource, sys\n"
        "from orchestration.bench.stages import run_stage\n"
        "result = run_stage(sys.argv[1], **json.loads(sys.argv[2]))\n"
        # the stage's own process, or the largest of its worker processes (report rendering)
        "who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)\n"
        "peak = max(resource.getrusage(w).ru_maxrss for w in who) / 1024\n"
        "result.setdefault('peak_rss_mb', round(peak, 1))\n"
        "print('BENCH-RESULT ' + json.dumps(result, default=str))\n"
    )
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", code, stage, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.PROJECT_ROOT,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-2000:] + completed.stderr[-4000:])
        raise SystemExit(f"bench stage {stage} failed")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH-RESULT "))
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    result.setdefault("seconds", round(time.monotonic() - started, 2))
    return result


def _stages(size: str, root: Path) -> list[tuple[str, dict]]:
    if size == "sync":
        # The CRM sync: 10,000 changed records to the local CRM server (orchestration/sync/local_crm.py).
        return [("sync", {"out_dir": str(root / "sync"), "records": 10_000})]
    landing, warehouse = root / f"landing-{size}", root / f"warehouse-{size}.duckdb"
    generate = (
        ("generate_demo", {"out_dir": str(landing)})
        if size == "demo"
        else ("generate", {"events_target": int(size), "out_dir": str(landing)})
    )
    stages = [
        generate,
        ("ingest", {"landing_dir": str(landing), "warehouse_path": str(warehouse)}),
        ("health", {"warehouse_path": str(warehouse)}),
        ("predictive", {"warehouse_path": str(warehouse)}),
    ]
    if size == "demo":
        stages.append(("reports", {"warehouse_path": str(warehouse), "out_dir": str(root / "site-demo")}))
    return stages


def main() -> None:
    root = settings.bench_dir() or Path(tempfile.mkdtemp(prefix="pulse-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"Benchmark on {os.cpu_count()} cores, files under {root}", flush=True)
    results: list[tuple[str, str, dict]] = []
    for size in settings.bench_sizes():
        label = {"demo": "demo (300 accounts)", "sync": "CRM sync (10,000 records)"}.get(size) or (
            f"{int(size):,} events"
        )
        print(f"\n== {label}", flush=True)
        for stage, kwargs in _stages(size, root):
            result = _child(stage, **kwargs)
            results.append((size, stage, result))
            print(f"  {stage:<14} {json.dumps(result, default=str)}", flush=True)
        shutil.rmtree(root / f"landing-{size}", ignore_errors=True)  # the 10M landing is ~2.5 GB

    print("\nsize         stage          seconds      rows/s   peak MB  notes")
    for size, stage, result in results:
        rate = result.get("events_per_second") or result.get("rows_per_second") or ""
        seconds, peak, notes = result.get("seconds"), result.get("peak_rss_mb"), ""
        if stage == "health":
            # The dbt processes' own figures, not the wrapper's.
            seconds, peak = result["full_build_seconds"], result["full_build_peak_rss_mb"]
            one_day = result["one_day_incremental_build_seconds"]
            one_day_mb = result["one_day_incremental_peak_rss_mb"]
            notes = (
                f"full dbt build; one-day rollup {result['one_day_rollup_seconds']} s, one day + downstream "
                f"{one_day} s ({one_day_mb} MB); bare DuckDB scan {result['bare_scan_seconds']} s"
            )
        if stage == "predictive":
            seconds, peak = result["risk_score_seconds"], result["risk_peak_rss_mb"]
            notes = (
                f"churn risk score ({result['risk_scored_rows']:,} account-days, AUC {result['risk_auc']}); "
                f"activity metrics rebuilt in {result['activity_metrics_seconds']} s "
                f"({result['activity_metrics_peak_rss_mb']} MB)"
            )
        if stage == "reports":
            notes = f"{result['pages']} pages, {result['failed_pages']} failed"
        if stage == "sync":
            notes = (
                f"{result['records']:,} changed records to Salesforce (200 a request); HubSpot "
                f"{result['hubspot_records_per_second']:,}/s (100 a request), Data Loader file "
                f"{result['dataloader_records_per_second']:,}/s; nothing changed: "
                f"{result['salesforce_unchanged_pass_seconds']} s"
            )
        print(f"{size:<12} {stage:<14} {seconds!s:>8} {rate!s:>11} {peak!s:>9}  {notes}")

    print(
        "\nWork process (list membership, lifecycle status, tasks): their models' seconds in the full build;"
    )
    print("rebuild = `dbt run` of these models alone (wall seconds, peak MB of the dbt process)")
    for size, stage, result in results:
        work = result.get("work_process") if stage == "health" else None
        if work:
            parts = [
                f"{area} {values['model_seconds']} s ({values['models']} models)"
                for area, values in work["areas"].items()
            ]
            rows = ", ".join(f"{count:,} {name}" for name, count in work["rows"].items())
            print(
                f"{size:<12} work-process   {'; '.join(parts)}; rebuild {work['rebuild_seconds']} s, "
                f"{work['rebuild_peak_rss_mb']} MB; {rows}"
            )


if __name__ == "__main__":
    main()
