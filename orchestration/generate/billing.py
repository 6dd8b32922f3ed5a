"""A Stripe-style subscriptions export consistent with the CRM: monthly exports of every subscription period.

An account that is not on the free plan has one subscription: a trial period when it started with one, then
annual contract periods from its contract start, renewing every 365 days at the CRM's contract value and
licenses (read from the same account history the CRM export replays), until its cancellation. Each export
lists every period begun by its date, with the status as of that date (the period in which the account
cancelled shows `canceled` and its end once the cancellation has happened).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from orchestration.generate.crm import _account_history, export_days
from orchestration.generate.plan import TIERS, Plan

HEADER = (
    "id",
    "Customer ID",
    "Plan",
    "Product",
    "Quantity",
    "Currency",
    "Interval",
    "Amount",
    "Status",
    "Created (UTC)",
    "Start (UTC)",
    "Current Period Start (UTC)",
    "Current Period End (UTC)",
    "Trial Start (UTC)",
    "Trial End (UTC)",
    "Canceled At (UTC)",
    "Ended At (UTC)",
    "Cancel At Period End",
    "app_account_id (metadata)",
)


def _periods(plan: Plan, i: int) -> list[dict]:
    """The account's subscription periods: (start, end or None, trial, contract value, licenses)."""
    p = plan
    if p.free[i]:
        return []
    c, cs, churn = int(p.created_day[i]), int(p.contract_start_day[i]), int(p.churn_day[i])
    # The CRM account's history (same random stream as crm.write_crm), replayed day by day.
    history = _account_history(p, i, np.random.default_rng([p.seed, 5, i + 1]))
    changes = sorted(history.changes, key=lambda change: (change[0], change[1]))

    def state_on(day: int) -> dict:
        state: dict = {}
        for when, _, fields in changes:
            if when > day:
                break
            state.update(fields)
        return state

    periods: list[dict] = []
    if cs > c:
        periods.append({"start": c, "end": min(cs, churn), "trial": True, "period_end": cs})
        if churn <= cs:
            return periods
    start = cs
    while start < p.days and start < churn:
        state = state_on(start)
        renewal = start + 365
        periods.append(
            {
                "start": start,
                "end": churn if churn <= renewal else None,
                "trial": False,
                "period_end": renewal,
                "value": float(state.get("Contract_Value__c", p.contract_value[i])),
                "licenses": int(state.get("Licenses__c", p.licenses[i])),
            }
        )
        if churn <= renewal:
            break
        start = renewal
    return periods


def write_billing(plan: Plan, out_dir: Path) -> dict[str, int]:
    p = plan
    folder = out_dir / "billing"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = lambda day: f"{p.date(day):%Y-%m-%d} 00:00"  # noqa: E731
    accounts = [(i, _periods(p, i)) for i in range(p.n)]
    files = lines = 0
    for export in export_days(p):
        rows = []
        for i, periods in accounts:
            churn = int(p.churn_day[i])
            tier = TIERS[int(p.tier[i])]
            paid = [period for period in periods if not period["trial"]]
            value, licenses = (paid[0]["value"], paid[0]["licenses"]) if paid else (0.0, 1)
            for period in periods:
                if period["start"] > export:
                    continue
                ended = period["end"] is not None and period["end"] <= export and period["end"] == churn
                if not period["trial"]:
                    value, licenses = period["value"], period["licenses"]
                trial = [q for q in periods if q["trial"]]
                rows.append(
                    {
                        "id": f"sub_{p.seed:04d}{i + 1:06d}",
                        "Customer ID": f"cus_{p.seed:04d}{i + 1:06d}",
                        "Plan": f"{tier} (annual)",
                        "Product": tier,
                        "Quantity": licenses,
                        "Currency": "usd",
                        "Interval": "year",
                        "Amount": round(value / max(licenses, 1), 6),
                        "Status": "canceled" if ended else ("trialing" if period["trial"] else "active"),
                        "Created (UTC)": stamp(periods[0]["start"]),
                        "Start (UTC)": stamp(periods[0]["start"]),
                        "Current Period Start (UTC)": stamp(period["start"]),
                        "Current Period End (UTC)": stamp(period["period_end"]),
                        "Trial Start (UTC)": stamp(trial[0]["start"]) if trial else "",
                        "Trial End (UTC)": stamp(trial[0]["period_end"]) if trial else "",
                        "Canceled At (UTC)": stamp(churn) if ended else "",
                        "Ended At (UTC)": stamp(churn) if ended else "",
                        "Cancel At Period End": "false",
                        "app_account_id (metadata)": p.account_ids[i],
                    }
                )
        with (folder / f"subscriptions-{p.date(export):%Y-%m-%d}.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADER)
            writer.writeheader()
            writer.writerows(rows)
        files += 1
        lines += len(rows)
    return {"files": files, "rows": lines}


def contract_start_dates(plan: Plan) -> list[str | None]:
    """Ground truth: the day each account's first paid period starts (None: free plan, or never paid)."""
    out: list[str | None] = []
    for i in range(plan.n):
        churn, cs = int(plan.churn_day[i]), int(plan.contract_start_day[i])
        paid = not plan.free[i] and cs < churn and cs < plan.days
        out.append(f"{plan.date(cs):%Y-%m-%d}" if paid else None)
    return out


__all__ = ["HEADER", "contract_start_dates", "write_billing"]
