"""`make bench` runs end to end (at a tiny size) and prints every stage's figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_throughput_and_memory_per_stage(tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_BENCH_SIZES": "30000", "PULSE_BENCH_DIR": str(tmp_path)}
    env.pop("PULSE_WAREHOUSE", None)
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.bench"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    table = completed.stdout.split("size         stage")[1].split("\n\n")[0].splitlines()
    stages = {line.split()[1]: line.split() for line in table if line.startswith("30000")}
    assert set(stages) == {
        "generate",
        "ingest",
        "health",
        "predictive",
        "reports",
        "peer_pandas",
        "peer_duckdb",
    }
    for stage, columns in stages.items():
        assert float(columns[2]) > 0, stage  # seconds
    assert float(stages["generate"][3]) > 0 and float(stages["ingest"][3]) > 0  # events or rows per second
    assert "bare DuckDB scan" in " ".join(stages["health"])
    work = [line for line in completed.stdout.splitlines() if line.startswith("30000        work-process")]
    assert len(work) == 1 and all(f"{area} " in work[0] for area in ("lists", "lifecycle", "tasks")), work
    assert " rebuild " in work[0] and " tasks" in work[0]
    assert not (tmp_path / "landing-30000").exists()  # generated files are removed after each size
    # everything is also written as JSON, with the ratios; the two peers compute the same ranks
    report = json.loads((tmp_path / "bench.json").read_text())
    ratios = report["ratios"]["30000"]
    assert ratios["peers_agree"] is True and ratios["end_to_end_vs_pandas"] > 0
    assert report["sizes"]["30000"]["ingest"]["by_format"]["jsonl"]["rows"] > 0
