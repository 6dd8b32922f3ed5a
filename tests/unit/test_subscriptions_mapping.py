"""The Stripe-style subscriptions export through its mapping file: columns, parsing, versions, rejects."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from orchestration.ingest.loader import ingest

HEADER = (
    "id,Customer ID,Plan,Product,Quantity,Currency,Interval,Amount,Status,Created (UTC),Start (UTC),"
    "Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),Canceled At (UTC),"
    "Ended At (UTC),Cancel At Period End,app_account_id (metadata)\n"
)


def _export(folder: Path, day: str, rows: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"subscriptions-{day}.csv").write_text(HEADER + "".join(row + "\n" for row in rows))


def test_stripe_export_loads_line_versions(tmp_path: Path) -> None:
    billing = tmp_path / "landing" / "billing"
    trial = (
        "sub_1,cus_1,Pro (annual),Pro,10,usd,year,1200,trialing,2026-01-15 09:00,2026-01-15 09:00,"
        "2026-01-15 09:00,2026-01-29 09:00,2026-01-15 09:00,2026-01-29 09:00,,,false,A1"
    )
    active = (
        "sub_1,cus_1,Pro (annual),Pro,10,usd,year,1200,active,2026-01-15 09:00,2026-01-15 09:00,"
        "2026-01-29 09:00,2027-01-29 09:00,2026-01-15 09:00,2026-01-29 09:00,,,false,A1"
    )
    no_app_id = "sub_2,cus_2,Basic,,1,usd,month,49,active,,,2026-02-01 00:00,2026-03-01 00:00,,,,,false,"
    bad = "sub_3,cus_3,Basic,,1,usd,month,49,active,,,not a date,2026-03-01 00:00,,,,,false,A3"
    _export(billing, "2026-02-01", [trial, active, no_app_id, bad])
    summary = ingest(tmp_path / "landing", tmp_path / "w.duckdb", sources=["billing"])
    totals = summary.totals()
    assert (totals["rows_loaded"], totals["rows_rejected"]) == (3, 1)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select subscription_id, account_id, product, start_date, period_end_date, amount, quantity, "
            "billing_period, status, trial_end_date, attributes->>'$.\"Cancel At Period End\"' "
            "from raw.subscriptions order by subscription_id, start_date"
        ).fetchall()
        reason = con.execute("select reason from raw.rejects").fetchone()[0]
    finally:
        con.close()
    assert rows == [
        ("sub_1", "A1", "Pro", date(2026, 1, 15), date(2026, 1, 29), 1200.0, 10.0, "year", "trialing",
         date(2026, 1, 29), "false"),
        ("sub_1", "A1", "Pro", date(2026, 1, 29), date(2027, 1, 29), 1200.0, 10.0, "year", "active",
         date(2026, 1, 29), "false"),
        # no app account id in the metadata: Stripe's customer id; no product: the plan
        ("sub_2", "cus_2", "Basic", date(2026, 2, 1), date(2026, 3, 1), 49.0, 1.0, "month", "active",
         None, "false"),
    ]  # fmt: skip
    assert "start_date" in reason and "not a date" in reason
    # a later export cancels the contract: a new version of the file's rows, the old one kept
    cancelled = active.replace(",active,", ",canceled,").replace(
        ",,,false,A1", ",2026-06-01 10:00,2026-06-01 10:00,false,A1"
    )
    _export(billing, "2026-07-01", [trial, cancelled])
    ingest(tmp_path / "landing", tmp_path / "w.duckdb", sources=["billing"])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        ended = con.execute(
            "select end_date, canceled_at from raw.subscriptions where status = 'canceled'"
        ).fetchall()
    finally:
        con.close()
    assert ended == [(date(2026, 6, 1), datetime(2026, 6, 1, 10, 0))]
