"""`pulse health backtest`: would the health rank have warned us before accounts cancelled?

On marts.fct_account_health_daily and marts.dim_accounts: for accounts that cancelled (cancellation date, or
the first day their status was Cancelled), the share ranked Poor 30, 60 and 90 days before; precision and
recall of "Poor today" for "cancels within the next 90 days" over every ranked account-day whose 90-day
outcome is known; and the median lead time (days from the first Poor day of the final uninterrupted Poor
stretch before cancellation to the cancellation).

With a candidate configuration folder (`pulse health backtest --candidate DIR`) the ranks come from the
candidate evaluated on the warehouse's metrics through the same path as `pulse health preview`
(orchestration.health.evaluate: dbt's compiled health SQL on the candidate seeds, no dbt build); the
cancellations (dates and statuses) still come from the marts, since they do not depend on configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

HORIZON_DAYS = 90
BUILT_HEALTH = "marts.fct_account_health_daily"
BUILT_CONFIGURATION = f"the built warehouse (`{BUILT_HEALTH}`)"


@dataclass
class BacktestResult:
    cancelled_accounts: int
    poor_share_before: dict[int, float | None]
    accounts_before: dict[int, int]
    precision: float | None
    recall: float | None
    true_positives: int
    predicted_poor: int
    actual_cancelling: int
    median_lead_days: float | None
    flagged_accounts: int
    leads: dict[str, int] = field(default_factory=dict)
    configuration: str = BUILT_CONFIGURATION

    def markdown(self) -> str:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{100 * value:.0f}%"

        lead = "n/a" if self.median_lead_days is None else f"{self.median_lead_days:.0f} days"
        lines = [
            "# Health backtest",
            "",
            f"Configuration: {self.configuration}",
            "",
            f"Cancelled accounts: **{self.cancelled_accounts}**",
            "",
            "| days before cancellation | accounts ranked | share Poor |",
            "|---|---|---|",
        ]
        for days in sorted(self.poor_share_before):
            lines.append(f"| {days} | {self.accounts_before[days]} | {pct(self.poor_share_before[days])} |")
        lines += [
            "",
            f"Poor as a warning of cancellation within {HORIZON_DAYS} days "
            "(ranked account-days with a known outcome):",
            "",
            "| metric | value |",
            "|---|---|",
            f"| precision | {pct(self.precision)} "
            f"({self.true_positives} of {self.predicted_poor} Poor account-days) |",
            f"| recall | {pct(self.recall)} "
            f"({self.true_positives} of {self.actual_cancelling} account-days before a cancellation) |",
            f"| median lead time | {lead} "
            f"({self.flagged_accounts} of {self.cancelled_accounts} cancelled accounts "
            "were Poor the day before) |",
        ]
        return "\n".join(lines) + "\n"


def run_backtest(
    warehouse: Path | str,
    con: duckdb.DuckDBPyConnection | None = None,
    health_table: str = BUILT_HEALTH,
    configuration: str | None = None,
) -> BacktestResult:
    """Backtest the ranks in health_table (account_id, as_of_date, health_rank; default: the built mart)."""
    own = con is None
    con = con or duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            """
            create or replace temp table backtest_cancellations as
            with status_cancel as (
                select account_id, min(as_of_date) as first_cancelled_day
                from marts.fct_account_health_daily where status = 'Cancelled' group by account_id
            )
            select a.account_id, coalesce(a.cancellation_date, s.first_cancelled_day) as cancelled_on
            from marts.dim_accounts as a
            left join status_cancel as s using (account_id)
            where coalesce(a.cancellation_date, s.first_cancelled_day) is not null
              and coalesce(a.cancellation_date, s.first_cancelled_day)
                  <= (select max(as_of_date) from marts.fct_account_health_daily)
            """
        )
        cancelled = con.execute("select count(*) from backtest_cancellations").fetchone()[0]
        health = health_table
        shares: dict[int, float | None] = {}
        counts: dict[int, int] = {}
        for days in (30, 60, 90):
            ranked, poor = con.execute(
                f"""
                select count(*), count(*) filter (where h.health_rank = 'Poor')
                from backtest_cancellations as c
                join {health} as h
                  on h.account_id = c.account_id and h.as_of_date = c.cancelled_on - interval {days} day
                where h.health_rank <> 'Unknown'
                """
            ).fetchone()
            counts[days] = ranked
            shares[days] = poor / ranked if ranked else None
        tp, predicted, actual = con.execute(
            f"""
            with days as (
                select h.account_id, h.as_of_date, h.health_rank = 'Poor' as is_poor,
                       c.cancelled_on is not null and c.cancelled_on > h.as_of_date
                           and c.cancelled_on <= h.as_of_date + interval {HORIZON_DAYS} day as cancels_soon
                from {health} as h
                left join backtest_cancellations as c using (account_id)
                where h.health_rank <> 'Unknown'
                  and (c.cancelled_on is null or h.as_of_date < c.cancelled_on)
                  -- the outcome is known: the horizon ends within the data, or the cancellation is seen
                  and (h.as_of_date + interval {HORIZON_DAYS} day
                          <= (select max(as_of_date) from marts.fct_account_health_daily)
                       or c.cancelled_on is not null)
            )
            select count(*) filter (where is_poor and cancels_soon), count(*) filter (where is_poor),
                   count(*) filter (where cancels_soon)
            from days
            """
        ).fetchone()
        leads = dict(
            con.execute(
                f"""
                with before as (
                    select c.account_id, c.cancelled_on, h.as_of_date, h.health_rank
                    from backtest_cancellations as c
                    join {health} as h
                      on h.account_id = c.account_id and h.as_of_date < c.cancelled_on
                ),
                last_day as (
                    select account_id, cancelled_on, arg_max(health_rank, as_of_date) as last_rank
                    from before group by all
                ),
                last_not_poor as (
                    select account_id, max(as_of_date) filter (where health_rank <> 'Poor') as last_ok,
                           min(as_of_date) as first_day
                    from before group by account_id
                )
                select l.account_id,
                       datediff('day', coalesce(n.last_ok + interval 1 day, n.first_day), l.cancelled_on)
                from last_day as l join last_not_poor as n using (account_id)
                where l.last_rank = 'Poor'
                """
            ).fetchall()
        )
        median = None
        if leads:
            ordered = sorted(leads.values())
            middle = len(ordered) // 2
            median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        return BacktestResult(
            cancelled_accounts=cancelled,
            poor_share_before=shares,
            accounts_before=counts,
            precision=tp / predicted if predicted else None,
            recall=tp / actual if actual else None,
            true_positives=tp,
            predicted_poor=predicted,
            actual_cancelling=actual,
            median_lead_days=median,
            flagged_accounts=len(leads),
            leads=leads,
            configuration=configuration or BUILT_CONFIGURATION,
        )
    finally:
        if own:
            con.close()


def run_candidate_backtest(warehouse: Path | str, candidate_dir: Path | str) -> BacktestResult:
    """Backtest a candidate configuration folder (health_profiles.csv and health_criteria.csv, optionally
    health_settings.csv, else the current one), evaluated like `preview`, without rebuilding dbt."""
    from orchestration.health.config import validate_health_config
    from orchestration.health.evaluate import evaluate_configs

    candidate = Path(candidate_dir)
    validate_health_config(candidate)
    con, tables = evaluate_configs(Path(warehouse), {"candidate": candidate})
    try:
        return run_backtest(
            warehouse,
            con=con,
            health_table=tables["candidate"],
            configuration=f"candidate `{candidate}` (evaluated on this warehouse's metrics, no dbt build)",
        )
    finally:
        con.close()
