"""ChurnSim ("Fighting Churn With Data", model socialnet7) in a private warehouse, through mapping files only.

`land_churnsim` copies the dataset's files into <landing>/churnsim/ (the mappings churnsim_subscription and
churnsim_event read them); `build_churnsim` ingests them and builds the models a test needs. Shared by the
revenue tests and the churn-prediction work (issue 10).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from orchestration.dbt_project import run_dbt
from orchestration.ingest.loader import IngestSummary, ingest

CHURNSIM = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "churnsim_socialnet7"
LISTING = CHURNSIM / "churn_rate_monthly_listing_2_2.csv"


def land_churnsim(landing: Path, files: Sequence[str] = ("subscription.csv",)) -> Path:
    """Copy ChurnSim files (subscription.csv, event.csv.gz) into <landing>/churnsim/."""
    folder = landing / "churnsim"
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy2(CHURNSIM / name, folder / name)
    return folder


def build_churnsim(
    root: Path,
    files: Sequence[str] = ("subscription.csv",),
    select: Sequence[str] = ("+fct_revenue_monthly",),
) -> tuple[Path, IngestSummary]:
    """Land, ingest (source churnsim only) and build `select` (models and seeds, no tests) in root/."""
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    land_churnsim(landing, files)
    summary = ingest(landing, warehouse, sources=["churnsim"])
    run_dbt(
        ["build", "--select", *select, "--resource-type", "model", "seed"],
        warehouse=warehouse,
        target_path=root / "target",
        log_dir=root / "logs",
    )
    return warehouse, summary
