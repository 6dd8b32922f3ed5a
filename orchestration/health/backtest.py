"""`pulse health backtest`: would the health rank have warned us before accounts cancelled?

On marts.fct_account_health_daily and marts.dim_accounts: for accounts that cancelled (cancellation date, or
the first day their status was Cancelled), the share ranked Poor 30, 60 and 90 days before; precision and
recall of "Poor today" for "cancels within the next 90 days" over every ranked account-day whose 90-day
outcome is known; and the median lead time (days from the first Poor day of the final uninterrupted Poor
stretch before cancellation to the cancellation). Outcomes are known up to the health mart's last day, or the
day revenue is known through when earlier (`outcomes_known_through`).

With a candidate configuration folder (`pulse health backtest --candidate DIR`) the ranks come from the
candidate evaluated on the warehouse's metrics through the same path as `pulse health preview`
(orchestration.health.evaluate: dbt's compiled health SQL on the candidate seeds, no dbt build); the
cancellations (dates and statuses) still come from the marts, since they do not depend on configuration.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from orchestration.health.outcomes import BUILT_HEALTH, CANCELLATIONS_SQL, outcomes_known_through

HORIZON_DAYS = 90
WINDOWS = (30, 60, 90)
RISK_TABLE = "marts.fct_account_churn_risk_daily"
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
    # per scope (overall, then each profile) and horizon: base rate, share flagged, lift, precision, recall
    windows: list[WindowFigures] = field(default_factory=list)
    since: dt.date | None = None

    def json(self) -> str:
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        return json.dumps(data, indent=2, default=str)

    def windows_markdown(self) -> list[str]:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{100 * value:.1f}%"

        lines = [
            "",
            "Flagged (Poor) as a warning of cancellation within 30, 60 and 90 days, per profile and overall "
            "(account-days whose outcome is known):",
            "",
            "| scope | within | account-days | base rate | share flagged | precision | lift | recall |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for w in self.windows:
            lift = "n/a" if w.lift is None else f"{w.lift:.2f}"
            lines.append(
                f"| {w.scope} | {w.horizon} days | {w.account_days:,} | {pct(w.base_rate)} | "
                f"{pct(w.share_flagged)} | {pct(w.precision)} | {lift} | {pct(w.recall)} |"
            )
        return lines

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
        if self.since:
            lines[3:3] = [f"Period: account-days from {self.since}"]
        return "\n".join(lines + self.windows_markdown()) + "\n"


@dataclass
class WindowFigures:
    scope: str  # overall, or a profile
    horizon: int
    account_days: int
    flagged: int
    cancelling: int
    true_positives: int

    @property
    def base_rate(self) -> float | None:
        return self.cancelling / self.account_days if self.account_days else None

    @property
    def share_flagged(self) -> float | None:
        return self.flagged / self.account_days if self.account_days else None

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.cancelling if self.cancelling else None

    @property
    def lift(self) -> float | None:
        if self.precision is None or not self.base_rate:
            return None
        return self.precision / self.base_rate


def _sql_date(day: dt.date | None) -> str:
    return f"date '{day.isoformat()}'" if day else "cast(null as date)"


def _window_figures(
    con: duckdb.DuckDBPyConnection, health: str, has_profile: bool, known: str
) -> list[WindowFigures]:
    """Per scope and horizon, over ranked account-days before any cancellation whose outcome is known."""
    profile = "h.profile" if has_profile else "'all'"
    figures: list[WindowFigures] = []
    for horizon in WINDOWS:
        rows = con.execute(
            f"""
            with days as (
                select coalesce({profile}, '(none)') as profile, h.health_rank = 'Poor' as is_poor,
                       c.cancelled_on is not null and c.cancelled_on > h.as_of_date
                           and c.cancelled_on <= h.as_of_date + interval {horizon} day as cancels_soon
                from {health} as h
                left join backtest_cancellations as c using (account_id)
                where h.health_rank <> 'Unknown'
                  and (c.cancelled_on is null or h.as_of_date < c.cancelled_on)
                  and (h.as_of_date + interval {horizon} day <= {known} or c.cancelled_on is not null)
            )
            select coalesce(profile, 'overall'), count(*), count(*) filter (where is_poor),
                   count(*) filter (where cancels_soon), count(*) filter (where is_poor and cancels_soon)
            from days
            group by grouping sets ((), (profile))
            order by profile is not null, profile
            """
        ).fetchall()
        for scope, total, flagged, cancelling, tp in rows:
            if not has_profile and scope != "overall":
                continue
            figures.append(WindowFigures(scope, horizon, total, flagged, cancelling, tp))
    return sorted(figures, key=lambda w: (w.scope != "overall", w.scope, w.horizon))


def run_backtest(
    warehouse: Path | str,
    con: duckdb.DuckDBPyConnection | None = None,
    health_table: str = BUILT_HEALTH,
    configuration: str | None = None,
    since: dt.date | None = None,
) -> BacktestResult:
    """Backtest the ranks in health_table (account_id, as_of_date, health_rank, optionally profile; default:
    the built mart). With `since`, only account-days from that day on count (e.g. a validation period)."""
    own = con is None
    con = con or duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = {row[0] for row in con.execute(f"select * from {health_table} limit 0").description}
        has_profile = "profile" in columns
        profile = "profile" if has_profile else "cast(null as varchar) as profile"
        where = f"where as_of_date >= date '{since.isoformat()}'" if since else ""
        con.execute(
            f"create or replace temp view backtest_health as "
            f"select account_id, as_of_date, health_rank, {profile} from {health_table} {where}"
        )
        health_table = "backtest_health"
        known_day = outcomes_known_through(con)
        known = _sql_date(known_day)
        cancellations = f"create or replace temp table backtest_cancellations as {CANCELLATIONS_SQL}"
        con.execute(cancellations, [known_day])
        if since:
            con.execute("delete from backtest_cancellations where cancelled_on < ?", [since])
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
                  and (h.as_of_date + interval {HORIZON_DAYS} day <= {known} or c.cancelled_on is not null)
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
            windows=_window_figures(con, health, has_profile, known),
            since=since,
        )
    finally:
        if own:
            con.close()


def run_risk_backtest(
    warehouse: Path | str, top_share: float = 0.1, since: dt.date | None = None
) -> BacktestResult:
    """Backtest the churn risk score: an account-day is flagged when it is among the riskiest `top_share` of
    accounts that day (risk decile > 10 - 10 x top_share), the profile is the health profile that day."""
    deciles = round(10 * top_share)
    if not 1 <= deciles <= 10:
        raise ValueError("top_share must be a multiple of 0.1 between 0.1 and 1")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            f"""
            create or replace temp table risk_flags as
            select r.account_id, r.as_of_date, h.profile,
                   case when r.risk_decile > {10 - deciles} then 'Poor' else 'Good' end as health_rank
            from {RISK_TABLE} as r
            join {BUILT_HEALTH} as h using (account_id, as_of_date)
            where h.health_rank <> 'Unknown'
            """
        )
        return run_backtest(
            warehouse,
            con=con,
            health_table="risk_flags",
            configuration=f"the churn risk score (`{RISK_TABLE}`), flagged: the riskiest {deciles * 10}% "
            "of accounts each day",
            since=since,
        )
    finally:
        con.close()


def run_candidate_backtest(
    warehouse: Path | str, candidate_dir: Path | str, since: dt.date | None = None
) -> BacktestResult:
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
            since=since,
        )
    finally:
        con.close()
