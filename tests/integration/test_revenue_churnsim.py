"""ChurnSim through mapping files only: Pulse's monthly logo churn equals the book's listing 2.2."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.loader import ingest
from tests.support.churnsim import CHURNSIM, LISTING, build_churnsim


def test_logo_churn_equals_the_books_listing(tmp_path: Path) -> None:
    warehouse, summary = build_churnsim(tmp_path)
    rows = sum(1 for _ in (CHURNSIM / "subscription.csv").open()) - 1
    assert summary.totals()["rows_loaded"] == rows and summary.totals()["rows_rejected"] == 0
    with LISTING.open(newline="") as handle:
        listing = list(csv.DictReader(handle))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        pulse = {
            row[0]: row[1:]
            for row in con.execute(
                "select month_start, month_end, accounts_at_start, churned_accounts, logo_churn_rate "
                "from marts.fct_revenue_monthly"
            ).fetchall()
        }
    finally:
        con.close()
    assert listing
    for book in listing:
        month = date.fromisoformat(book["from_date"])
        assert month in pulse, f"no Pulse row for {month}"
        month_end, n_start, n_churn, rate = pulse[month]
        assert month_end == date.fromisoformat(book["to_date"])
        assert (n_start, n_churn) == (int(book["n_start"]), int(book["n_churn"])), month
        assert abs(rate - float(book["churn_rate"])) < 1e-12


def test_churnsim_events_load_through_their_mapping(tmp_path: Path) -> None:
    """A slice of event.csv.gz: every row loads, the activity id becomes its name (event_type.csv)."""
    with gzip.open(CHURNSIM / "event.csv.gz", "rt", newline="") as handle:
        lines = [line for _, line in zip(range(2001), handle, strict=False)]
    folder = tmp_path / "landing" / "churnsim"
    folder.mkdir(parents=True)
    with gzip.open(folder / "event.csv.gz", "wt", newline="") as out:
        out.writelines(lines)
    with (CHURNSIM / "event_type.csv").open(newline="") as handle:
        names = {row["event_type_id"]: row["event_type_name"] for row in csv.DictReader(handle)}
    rows = list(csv.DictReader(lines))
    warehouse = tmp_path / "w.duckdb"
    summary = ingest(tmp_path / "landing", warehouse, sources=["churnsim"])
    totals = summary.totals()
    assert totals["rows_rejected"] == 0
    assert totals["rows_loaded"] + totals["rows_duplicate"] == len(rows)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = con.execute(
            "select account_id, user_id, event_name, strftime(event_at, '%Y-%m-%d %H:%M:%S') "
            "from raw.app_events"
        ).fetchall()
    finally:
        con.close()
    expected = {
        (
            f"churnsim-{r['account_id']}",
            f"churnsim-{r['user_id']}",
            names[r["event_type_id"]],
            r["event_time"],
        )
        for r in rows
    }
    assert set(loaded) == expected
