"""The generator's ground truth (ground_truth.csv beside the landing files) as an independent check of the
revenue marts: which accounts pay on a day, computed without Pulse."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb


def paying_accounts(truth: list[dict], day: date) -> set[str]:
    """Accounts paying on `day` by the ground truth: first paid day <= day < churn date."""
    return {
        row["account_id"]
        for row in truth
        if row["contract_start_date"]
        and date.fromisoformat(row["contract_start_date"]) <= day
        and (not row["churn_date"] or date.fromisoformat(row["churn_date"]) > day)
    }


def logo_churn_against_ground_truth(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> tuple[list[str], int, int]:
    """(months where marts.fct_revenue_monthly differs from the ground truth, months compared, accounts
    churned in them). A month differs when its accounts at the start, churned or paying at the end do."""
    with (landing / "ground_truth.csv").open(newline="") as handle:
        truth = list(csv.DictReader(handle))
    months = con.execute(
        "select month_start, month_end, accounts_at_start, churned_accounts, paying_accounts "
        "from marts.fct_revenue_monthly order by month_start"
    ).fetchall()
    differing, churned_total = [], 0
    for month_start, month_end, n_start, n_churn, paying in months:
        at_start, at_end = paying_accounts(truth, month_start), paying_accounts(truth, month_end)
        expected = (len(at_start), len(at_start - at_end), len(at_end))
        if (n_start, n_churn, paying) != expected:
            differing.append(f"{month_start}: Pulse {(n_start, n_churn, paying)}, ground truth {expected}")
        churned_total += n_churn
    return differing, len(months), churned_total
