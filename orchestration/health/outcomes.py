"""What the warehouse knows of cancellations, read the same way by the backtest and the learning history: the
last day they are known for, and each account's cancellation day up to it."""

from __future__ import annotations

import datetime as dt

import duckdb

BUILT_HEALTH = "marts.fct_account_health_daily"
REVENUE_AS_OF = "intermediate.int_revenue_as_of"

# account_id, cancelled_on: the CRM's (or billing's) cancellation date, else the first day the status was
# Cancelled; only cancellations on or before the parameter (the day they are known for).
CANCELLATIONS_SQL = f"""
    with status_cancel as (
        select account_id, min(as_of_date) as first_cancelled_day
        from {BUILT_HEALTH} where status = 'Cancelled' group by account_id
    )
    select a.account_id, coalesce(a.cancellation_date, s.first_cancelled_day) as cancelled_on
    from marts.dim_accounts as a
    left join status_cancel as s using (account_id)
    where coalesce(a.cancellation_date, s.first_cancelled_day) is not null
      and coalesce(a.cancellation_date, s.first_cancelled_day) <= ?
"""


def outcomes_known_through(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day whether an account cancelled is known for: the health mart's last day, or the day revenue
    is known through when earlier (int_revenue_as_of: billing that lists scheduled ends it cannot confirm is
    known only through its export, and a cancellation after that day cannot be seen yet)."""
    last = con.execute(f"select max(as_of_date) from {BUILT_HEALTH}").fetchone()[0]
    try:
        revenue = con.execute(f"select max(as_of_date) from {REVENUE_AS_OF}").fetchone()[0]
    except duckdb.CatalogException:  # a warehouse built without the revenue models
        revenue = None
    return min(last, revenue) if last is not None and revenue is not None else last
