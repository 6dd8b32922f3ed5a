"""The daily digest run: which days to compose, composing them into the outbox, and what happened.

Called by the Dagster assets (orchestration/defs/digests.py) and `pulse digest`, which pass the newest
released day (the brake: a held day is never digested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.digests.compose import Digest, compose_digests, unknown_targets
from orchestration.digests.follows import Follow
from orchestration.digests.outbox import Outbox
from orchestration.digests.render import render_message

# After a pause, the days missed are composed too, at most this many (a digest is news, not an archive).
CATCH_UP_DAYS = 7


def digest_days(outbox: Outbox, released: date, requested: date | None = None) -> list[date]:
    """The days to compose: the requested one, else the released days after the last composed day (at most
    CATCH_UP_DAYS), else (first run) the released day alone."""
    if requested is not None:
        return [requested]
    composed = outbox.composed_days()
    if not composed:
        return [released]
    start = max(composed[-1] + timedelta(days=1), released - timedelta(days=CATCH_UP_DAYS - 1))
    return [start + timedelta(days=offset) for offset in range((released - start).days + 1)]


@dataclass
class ComposeReport:
    days: list[date]
    digests: list[Digest] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # digest ids composed by an earlier run
    problems: list[str] = field(default_factory=list)  # follows of unknown accounts / success managers

    def lines(self) -> list[str]:
        days = ", ".join(day.isoformat() for day in self.days) or "none (nothing new since the last run)"
        lines = [
            f"days: {days}",
            f"digests: {len(self.digests)} ({len(self.written)} new in the outbox, "
            f"{len(self.already)} composed before)",
        ]
        return lines + [f"warning: {problem}" for problem in self.problems]


def compose_to_outbox(
    con: duckdb.DuckDBPyConnection,
    follows: list[Follow],
    days: list[date],
    outbox: Outbox,
    sender: str,
    dry_run: bool = False,
) -> ComposeReport:
    """Compose the digests of days and write the new ones to the outbox (dry_run: write nothing)."""
    report = ComposeReport(days=days, problems=unknown_targets(con, follows))
    for day in days:
        for digest in compose_digests(con, follows, day):
            report.digests.append(digest)
            if outbox.knows(day, digest.digest_id):
                report.already.append(digest.digest_id)
            elif not dry_run:
                written = outbox.write(day, digest.digest_id, render_message(digest, sender))
                if written is not None:
                    report.written.append(written)
        if not dry_run:
            outbox.record_composed(day)
    return report
