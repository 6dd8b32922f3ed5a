"""`pulse health preview CANDIDATE_DIR`: how a candidate health configuration would move accounts.

Both the current configuration (seeds/) and the candidate are evaluated on the warehouse's metrics with the
same compiled dbt SQL (orchestration.health.evaluate), then compared: the rank distribution today, every
account that would move today and why, and the past year replayed (days spent in each rank; account-days
that would move up or down). The output is Markdown for a pull request.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.health.config import validate_health_config
from orchestration.health.evaluate import SEEDS_DIR, evaluate_configs

RANKS = ("Good", "Average", "Poor", "Unknown")
_ORDER = "case {col} when 'Good' then 3 when 'Average' then 2 when 'Poor' then 1 else 0 end"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def preview_markdown(
    warehouse: Path, candidate_dir: Path, current_dir: Path = SEEDS_DIR, days: int = 365
) -> str:
    validate_health_config(candidate_dir)
    con, tables = evaluate_configs(warehouse, {"current": current_dir, "candidate": candidate_dir})
    try:
        con.execute(
            f"""
            create temp table compared as
            select cur.account_id, cur.as_of_date,
                   cur.health_rank as current_rank, cand.health_rank as candidate_rank,
                   cur.profile as current_profile, cand.profile as candidate_profile,
                   cur.reason as current_reason, cand.reason as candidate_reason,
                   cur.health_score as current_score, cand.health_score as candidate_score
            from {tables["current"]} as cur
            join {tables["candidate"]} as cand using (account_id, as_of_date)
            """
        )
        as_of = con.execute("select max(as_of_date) from compared").fetchone()[0]
        if as_of is None:
            return "# Health configuration preview\n\nThe warehouse has no account-days to evaluate.\n"
        since = con.execute(f"select cast(? as date) - interval {days - 1} day", [as_of]).fetchone()[0]
        lines = [
            "# Health configuration preview",
            "",
            f"Candidate `{candidate_dir}` vs current `{current_dir}` on `{warehouse.name}`, "
            f"as of **{as_of}**.",
            "",
            "## Rank distribution today",
            "",
        ]
        today = dict(
            (rank, (cur, cand))
            for rank, cur, cand in con.execute(
                """
                select r.rank,
                       count(*) filter (where c.current_rank = r.rank),
                       count(*) filter (where c.candidate_rank = r.rank)
                from (select unnest(?) as rank) as r
                cross join compared as c
                where c.as_of_date = ?
                group by r.rank
                """,
                [list(RANKS), as_of],
            ).fetchall()
        )
        lines += _table(
            ["rank", "current", "candidate", "change"],
            [
                (rank, today[rank][0], today[rank][1], f"{today[rank][1] - today[rank][0]:+d}")
                for rank in RANKS
            ],
        )
        movers = con.execute(
            f"""
            select account_id, current_rank, candidate_rank, candidate_profile,
                   candidate_reason, current_reason
            from compared
            where as_of_date = ? and current_rank <> candidate_rank
            order by {_ORDER.format(col="candidate_rank")} - {_ORDER.format(col="current_rank")}, account_id
            """,
            [as_of],
        ).fetchall()
        lines += ["", f"## Accounts that would move today ({len(movers)})", ""]
        if movers:
            lines += _table(
                ["account", "current", "candidate", "candidate profile", "why (candidate)", "was (current)"],
                movers,
            )
        else:
            lines.append("No account changes rank today.")
        lines += ["", f"## The past {days} days replayed ({since:%Y-%m-%d} to {as_of})", ""]
        history = dict(
            (rank, (cur, cand))
            for rank, cur, cand in con.execute(
                """
                select r.rank,
                       count(*) filter (where c.current_rank = r.rank),
                       count(*) filter (where c.candidate_rank = r.rank)
                from (select unnest(?) as rank) as r
                cross join compared as c
                where c.as_of_date >= ?
                group by r.rank
                """,
                [list(RANKS), since],
            ).fetchall()
        )
        lines.append("Account-days spent in each rank:")
        lines.append("")
        lines += _table(
            ["rank", "current", "candidate", "change"],
            [
                (rank, history[rank][0], history[rank][1], f"{history[rank][1] - history[rank][0]:+d}")
                for rank in RANKS
            ],
        )
        candidate_order, current_order = (
            _ORDER.format(col="candidate_rank"),
            _ORDER.format(col="current_rank"),
        )
        up, down, accounts = con.execute(
            f"""
            select
                count(*) filter (where {candidate_order} > {current_order}),
                count(*) filter (where {candidate_order} < {current_order}),
                count(distinct account_id) filter (where candidate_rank <> current_rank)
            from compared where as_of_date >= ?
            """,
            [since],
        ).fetchone()
        lines += [
            "",
            f"Either way: {up} account-days would rank higher, {down} lower, across {accounts} accounts.",
            "",
        ]
        transitions = con.execute(
            """
            select current_rank, candidate_rank, count(*) as account_days,
                   count(distinct account_id) as accounts
            from compared where as_of_date >= ? and current_rank <> candidate_rank
            group by all order by account_days desc
            """,
            [since],
        ).fetchall()
        if transitions:
            lines += _table(["current", "candidate", "account-days", "accounts"], transitions)
            lines.append("")
        top = con.execute(
            """
            select account_id,
                   count(*) filter (where current_rank <> candidate_rank) as days_moved,
                   count(*) filter (where current_rank = 'Poor') as poor_days_current,
                   count(*) filter (where candidate_rank = 'Poor') as poor_days_candidate,
                   count(*) filter (where current_rank = 'Good') as good_days_current,
                   count(*) filter (where candidate_rank = 'Good') as good_days_candidate
            from compared where as_of_date >= ?
            group by account_id having count(*) filter (where current_rank <> candidate_rank) > 0
            order by days_moved desc, account_id limit 20
            """,
            [since],
        ).fetchall()
        if top:
            lines += ["Accounts that would move most over the period (top 20):", ""]
            lines += _table(
                [
                    "account",
                    "days moved",
                    "Poor days now",
                    "Poor days candidate",
                    "Good days now",
                    "Good days candidate",
                ],
                top,
            )
        return "\n".join(lines) + "\n"
    finally:
        con.close()
