"""The brake on mass changes: a build whose newest day moves too many accounts between ranks is held.

The comparison is with the last *released* day, not the day before, so a held day stays held on the next
build if the mass move is still there; it is released by `pulse confirm DATE` or by a build whose newest day
no longer trips the brake. Every decision is an append-only row of raw.release_events (the record of holds
and releases); the current state is derived from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from orchestration.warehouse import RELEASE_DDL

HELD = "held"


class HoldError(ValueError):
    """A confirmation that cannot be applied (no such held day)."""


@dataclass(frozen=True)
class BrakeSettings:
    """seeds/health_settings.csv: hold_moved_share and hold_min_accounts (through int_health_settings)."""

    max_moved_share: float
    min_accounts: int


@dataclass(frozen=True)
class ReleaseDecision:
    as_of_date: date
    event: str
    compared_with: date | None
    ranked_accounts: int
    moved_accounts: int
    moved_share: float
    summary: str


def ensure_release_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RELEASE_DDL)


def _has_events(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'release_events'"
        ).fetchone()[0]
    )


def released_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest day cleared for action (None before the first build)."""
    if not _has_events(con):
        return None
    row = con.execute(
        "select max(as_of_date) from raw.release_events where event in ('released', 'confirmed')"
    ).fetchone()
    return row[0] if row else None


def held_days(con: duckdb.DuckDBPyConnection) -> list[tuple[date, str]]:
    """Days held and not released since (the view raw.held_days), newest first, with their summary."""
    if not _has_events(con):
        return []
    return con.execute("select as_of_date, summary from raw.held_days order by as_of_date desc").fetchall()


def _record(
    con: duckdb.DuckDBPyConnection, decision: ReleaseDecision, threshold: float, moves: dict, actor: str
) -> None:
    con.execute(
        "insert into raw.release_events values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(),
            decision.as_of_date,
            decision.event,
            decision.compared_with,
            decision.ranked_accounts,
            decision.moved_accounts,
            decision.moved_share,
            threshold,
            json.dumps(moves, sort_keys=True),
            decision.summary,
            actor,
        ],
    )


def _moves(con: duckdb.DuckDBPyConnection, today: date, released: date) -> list[tuple[str, str, int]]:
    """(rank on the released day, rank today, accounts) for accounts ranked on both days."""
    return con.execute(
        """
        select before.health_rank, now.health_rank, count(*) as accounts
        from marts.fct_account_health_daily as now
        inner join marts.fct_account_health_daily as before
            on now.account_id = before.account_id
        where now.as_of_date = ? and before.as_of_date = ?
          and now.health_rank <> 'Unknown' and before.health_rank <> 'Unknown'
        group by all
        order by accounts desc, 1, 2
        """,
        [today, released],
    ).fetchall()


def evaluate_brake(con: duckdb.DuckDBPyConnection, settings: BrakeSettings) -> ReleaseDecision | None:
    """Judge the newest built day against the last released one; record and return the decision.

    None when the newest day is already released (a re-run changes nothing).
    """
    ensure_release_schema(con)
    today = con.execute("select max(as_of_date) from marts.fct_account_health_daily").fetchone()[0]
    if today is None:
        return None
    released = released_as_of(con)
    if released is not None and released >= today:
        return None
    moves = _moves(con, today, released) if released is not None else []
    ranked = sum(count for _, _, count in moves)
    changed = {f"{before} -> {now}": count for before, now, count in moves if before != now}
    moved = sum(changed.values())
    share = moved / ranked if ranked else 0.0
    trips = released is not None and ranked >= settings.min_accounts and share > settings.max_moved_share
    detail = ", ".join(f"{count} {move}" for move, count in changed.items()) or "no rank changes"
    if trips:
        summary = (
            f"{moved} of {ranked} ranked accounts ({share:.0%}) changed rank between {released} and {today} "
            f"({detail}); more than {settings.max_moved_share:.0%} in one build looks like a data problem "
            f"(a stalled or partial source, a bad export) rather than real change. Actions wait until "
            f"`pulse confirm {today}` or a build that no longer trips the brake."
        )
        already = [day for day, _ in held_days(con) if day == today]
        decision = ReleaseDecision(today, HELD, released, ranked, moved, share, summary)
        if not already:
            _record(con, decision, settings.max_moved_share, changed, "build")
        return decision
    since = f" since {released}" if released is not None else ""
    summary = f"{moved} of {ranked} ranked accounts ({share:.0%}) changed rank{since}: {detail}"
    for day, _ in held_days(con):
        superseded = ReleaseDecision(
            day,
            "superseded",
            released,
            ranked,
            moved,
            share,
            f"the build of {today} no longer trips the brake",
        )
        _record(con, superseded, settings.max_moved_share, {}, "build")
    decision = ReleaseDecision(today, "released", released, ranked, moved, share, summary)
    _record(con, decision, settings.max_moved_share, changed, "build")
    return decision


def confirm_day(con: duckdb.DuckDBPyConnection, day: date, note: str | None = None) -> ReleaseDecision:
    """`pulse confirm DATE`: a person says the held day's data is right; actions may run on it."""
    held = dict(held_days(con))
    if day not in held:
        listed = ", ".join(str(held_day) for held_day in sorted(held)) or "none"
        raise HoldError(f"{day} is not a held day (held days: {listed})")
    summary = f"confirmed by a person{': ' + note if note else ''}"
    decision = ReleaseDecision(day, "confirmed", None, 0, 0, 0.0, summary)
    _record(con, decision, 0.0, {}, "pulse confirm")
    return decision


def brake_settings(con: duckdb.DuckDBPyConnection) -> BrakeSettings:
    """The brake's thresholds, as the settings model resolved them (defaults live there)."""
    row = con.execute(
        "select hold_moved_share, hold_min_accounts from intermediate.int_health_settings"
    ).fetchone()
    return BrakeSettings(max_moved_share=float(row[0]), min_accounts=int(row[1]))
