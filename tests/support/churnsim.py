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


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m tests.support.churnsim [DIR]`: load ChurnSim into DIR (default: a temporary folder) through
    the mapping files, build the revenue marts and print Pulse's monthly logo churn beside the book's."""
    import csv
    import sys
    import tempfile

    import duckdb

    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="churnsim-"))
    root.mkdir(parents=True, exist_ok=True)
    warehouse, summary = build_churnsim(root)
    print(summary.format())
    with LISTING.open(newline="") as handle:
        book = {row["from_date"]: row for row in csv.DictReader(handle)}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        months = con.execute(
            "select strftime(month_start, '%Y-%m-%d'), accounts_at_start, churned_accounts, logo_churn_rate, "
            "net_revenue_retention from marts.fct_revenue_monthly order by month_start"
        ).fetchall()
    finally:
        con.close()
    print("\nmonth        Pulse start  churned  logo churn   NRR    | book start  churned  churn rate")
    same = True
    for month, start, churned, rate, nrr in months:
        row = book.get(month)
        shown = [f"{100 * value:.2f}%" if value is not None else "-" for value in (rate, nrr)]
        line = f"{month}  {start:>11}  {churned:>7}  {shown[0]:>10}  {shown[1]:>6}"
        if row:
            line += f"  | {row['n_start']:>10}  {row['n_churn']:>7}  {100 * float(row['churn_rate']):>9.2f}%"
            same &= (start, churned) == (int(row["n_start"]), int(row["n_churn"]))
        print(line)
    print(f"\nwarehouse: {warehouse}\n{'every month of the listing matches' if same else 'MISMATCH'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
