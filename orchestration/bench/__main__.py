"""`make bench`: wall time and peak memory of every stage, in one run on this machine.

Sizes: the demo sample (300 accounts, one year) and generated event counts (1M, 10M; 100000000 works too).
Stages per size: generate, ingest, the full dbt build and a one-day build (beside a bare DuckDB scan), the
report site, and the two peers on the same landing files (orchestration/bench/peers.py: a plain pandas script
and one DuckDB query computing the default health for every account and day). Each stage runs in a fresh
child process so its peak RSS is its own. The ratios are printed after the table, and everything is written
as JSON (<bench dir>/bench.json) so commits can be compared.
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
    stages = {
        "generate": generate,
        "ingest": ("ingest", {"landing_dir": str(landing), "warehouse_path": str(warehouse)}),
        "health": ("health", {"warehouse_path": str(warehouse)}),
        "predictive": ("predictive", {"warehouse_path": str(warehouse)}),
        "reports": ("reports", {"warehouse_path": str(warehouse), "out_dir": str(root / f"site-{size}")}),
        "peer_pandas": ("peer_pandas", {"landing_dir": str(landing)}),
        "peer_duckdb": ("peer_duckdb", {"landing_dir": str(landing)}),
    }
    names = settings.bench_stages(list(stages))
    if "reports" in names and "predictive" not in names[: names.index("reports")]:
        # The account pages show the churn risk score: without its mart every one of them fails.
        raise ValueError("PULSE_BENCH_STAGES: reports needs predictive before it (for the risk score)")
    return [stages[name] for name in names]


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=settings.PROJECT_ROOT)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def ratios(stages: dict[str, dict]) -> dict:
    """Per size: Pulse end to end (ingest + full build) against the peers, and the one-day build's share."""
    ingest, health = stages.get("ingest", {}), stages.get("health", {})
    pandas, query = stages.get("peer_pandas", {}), stages.get("peer_duckdb", {})
    if not ingest or not health:
        return {}
    end_to_end = ingest["seconds"] + health["full_build_seconds"]
    peak = max(ingest["peak_rss_mb"], health["full_build_peak_rss_mb"])
    return {
        "pulse_end_to_end_seconds": round(end_to_end, 2),
        "pulse_peak_rss_mb": peak,
        "end_to_end_vs_pandas": _ratio(end_to_end, pandas.get("seconds")),
        "peak_memory_vs_pandas": _ratio(peak, pandas.get("peak_rss_mb")),
        "full_build_vs_duckdb_query": _ratio(health["full_build_seconds"], query.get("seconds")),
        "one_day_build_vs_full_build": _ratio(
            health["one_day_incremental_build_seconds"], health["full_build_seconds"]
        ),
        "peers_agree": bool(pandas) and pandas.get("ranks") == query.get("ranks"),
    }


def marginal(results: dict[str, dict[str, dict]]) -> dict | None:
    """Between the two largest event counts: the full build's cost per extra event against the query's."""
    sizes = sorted((int(s) for s in results if s.isdigit() and "health" in results[s]), reverse=True)
    if (
        len(sizes) < 2
        or "peer_duckdb" not in results[str(sizes[0])]
        or "peer_duckdb" not in results[str(sizes[1])]
    ):
        return None
    big, small = results[str(sizes[0])], results[str(sizes[1])]
    events = big["health"]["events"] - small["health"]["events"]
    build = big["health"]["full_build_seconds"] - small["health"]["full_build_seconds"]
    query = big["peer_duckdb"]["seconds"] - small["peer_duckdb"]["seconds"]
    return {
        "from_events": small["health"]["events"],
        "to_events": big["health"]["events"],
        "full_build_us_per_event": round(build / events * 1e6, 3) if events else None,
        "duckdb_query_us_per_event": round(query / events * 1e6, 3) if events else None,
        "ratio": _ratio(build, query),
    }


def main() -> None:
    root = settings.bench_dir() or Path(tempfile.mkdtemp(prefix="pulse-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"Benchmark on {os.cpu_count()} cores, files under {root}", flush=True)
    results: dict[str, dict[str, dict]] = {}
    report: dict = {"commit": _git_commit(), "cores": os.cpu_count(),
                    "started": time.strftime("%Y-%m-%d %H:%M:%S"), "sizes": results}  # fmt: skip
    # DuckDB's memory limits bound the peaks measured below: record them with the figures.
    report["memory_limits"] = {"ingest": settings.duckdb_memory_limit(), "dbt": settings.dbt_memory_limit()}
    print(f"DuckDB memory limits: {report['memory_limits']}", flush=True)
    for size in settings.bench_sizes():
        label = {"demo": "demo (300 accounts)", "sync": "CRM sync (10,000 records)"}.get(size) or (
            f"{int(size):,} events"
        )
        print(f"\n== {label}", flush=True)
        results[size] = {}
        for stage, kwargs in _stages(size, root):
            load = os.getloadavg()[0]
            result = _child(stage, **kwargs)
            result["load_average_before"] = round(load, 2)
            results[size][stage] = result
            print(f"  {stage:<14} {json.dumps(result, default=str)}", flush=True)
            # written after every stage, so a long run that is stopped keeps what it measured
            report["ratios"] = {s: ratios(stages) for s, stages in results.items()}
            report["marginal_full_build_vs_query"] = marginal(results)
            (root / "bench.json").write_text(json.dumps(report, indent=2, default=str))
        shutil.rmtree(root / f"landing-{size}", ignore_errors=True)  # the 10M landing is ~2.5 GB

    print("\nsize         stage          seconds      rows/s   peak MB  notes")
    for size, stages in results.items():
        for stage, result in stages.items():
            _print_row(size, stage, result)
    print("\nratios (Pulse end to end = ingest + full build):")
    for size, values in report["ratios"].items():
        print(f"  {size:<12} {json.dumps(values)}")
    if report["marginal_full_build_vs_query"]:
        print(
            f"  marginal cost per event, full build vs DuckDB query: {report['marginal_full_build_vs_query']}"
        )
    print(
        "\nWork process (list membership, lifecycle status, tasks): their models' seconds in the full build;"
    )
    print("rebuild = `dbt run` of these models alone (wall seconds, peak MB of the dbt process)")
    for size, stages in results.items():
        work = stages.get("health", {}).get("work_process")
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

    print(f"\nJSON: {root / 'bench.json'}")


def _print_row(size: str, stage: str, result: dict) -> None:
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
    if stage == "ingest":
        notes = ", ".join(
            f"{fmt} {row['rows']:,} rows at {row['rows_per_second']} rows/s"
            for fmt, row in sorted(result.get("by_format", {}).items())
        )
    if stage == "reports":
        notes = f"{result['pages']} pages, {result['failed_pages']} failed"
    if stage == "predictive":
        seconds, peak = result["risk_score_seconds"], result["risk_peak_rss_mb"]
        notes = (
            f"churn risk score ({result['risk_scored_rows']:,} account-days, AUC {result['risk_auc']}); "
            f"activity metrics rebuilt in {result['activity_metrics_seconds']} s "
            f"({result['activity_metrics_peak_rss_mb']} MB)"
        )
    if stage == "sync":
        notes = (
            f"{result['records']:,} changed records to Salesforce (200 a request); HubSpot "
            f"{result['hubspot_records_per_second']:,}/s (100 a request), Data Loader file "
            f"{result['dataloader_records_per_second']:,}/s; nothing changed: "
            f"{result['salesforce_unchanged_pass_seconds']} s"
        )
    if stage.startswith("peer_"):
        notes = f"{result['account_days']:,} account-days {result['ranks']}"
    print(f"{size:<12} {stage:<14} {seconds!s:>8} {rate!s:>11} {peak!s:>9}  {notes}")


if __name__ == "__main__":
    main()
