"""One digest per follower and day: the items of the day (orchestration.digests.items) their follows pick,
each once, grouped by account. Nothing new for a follower that day means no digest for them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb

from orchestration.digests.follows import Follow
from orchestration.digests.items import Item, items_of_day

# Never a dump: a digest lists at most this many items and says how many more there are.
MAX_ITEMS = 50


@dataclass
class Digest:
    digest_id: str
    day: date
    follower_email: str
    follower_name: str
    items: list[Item] = field(default_factory=list)
    # Why each item is there: item_id -> the follows that picked it ("account A000002", "list risk_red").
    via: dict[str, list[str]] = field(default_factory=dict)

    @property
    def shown(self) -> list[Item]:
        return self.items[:MAX_ITEMS]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - MAX_ITEMS)

    @property
    def accounts(self) -> int:
        return len({item.account_id for item in self.items})


def digest_id(follower_email: str, day: date) -> str:
    """The stable id of a follower's digest of a day: a re-run composes the same id (and so never sends it
    twice)."""
    return hashlib.sha256(f"{follower_email.lower()}|{day.isoformat()}".encode()).hexdigest()[:32]


def _picks(follow: Follow, item: Item) -> bool:
    if follow.follows == "account":
        return item.account_id == follow.target
    if follow.follows == "book":
        return item.success_manager == follow.target
    if follow.follows == "list":
        return item.list == follow.target
    return item.kind == follow.target  # alert: one kind on every account


def digests_for_items(follows: Iterable[Follow], day: date, items: list[Item]) -> list[Digest]:
    """The digests of day for these items: one per follower with at least one item, items once each."""
    digests: dict[str, Digest] = {}
    for follow in follows:
        key = follow.follower_email.lower()
        for item in items:
            if not _picks(follow, item):
                continue
            digest = digests.get(key)
            if digest is None:
                digest = digests[key] = Digest(
                    digest_id(follow.follower_email, day), day, follow.follower_email, follow.follower_name
                )
            if item.item_id not in digest.via:
                digest.items.append(item)
                digest.via[item.item_id] = []
            digest.via[item.item_id].append(f"{follow.follows} {follow.target}")
    for digest in digests.values():
        order = {item.item_id: index for index, item in enumerate(items)}
        digest.items.sort(key=lambda item: order[item.item_id])
    return sorted(digests.values(), key=lambda digest: digest.follower_email.lower())


def compose_digests(con: duckdb.DuckDBPyConnection, follows: list[Follow], day: date) -> list[Digest]:
    """The digests of day from the warehouse."""
    return digests_for_items(follows, day, items_of_day(con, day))


def unknown_targets(con: duckdb.DuckDBPyConnection, follows: list[Follow]) -> list[str]:
    """Follows of an account or success manager the warehouse does not know (file:row: message)."""
    accounts = {row[0] for row in con.execute("select account_id from marts.dim_accounts").fetchall()}
    managers = {
        row[0]
        for row in con.execute(
            "select distinct success_manager from marts.dim_accounts where success_manager is not null"
        ).fetchall()
    }
    problems = []
    for follow in follows:
        if follow.follows == "account" and follow.target not in accounts:
            problems.append(f"{follow.where}: account '{follow.target}' is not in the warehouse")
        elif follow.follows == "book" and follow.target not in managers:
            problems.append(
                f"{follow.where}: success manager '{follow.target}' manages no account; "
                f"known: {', '.join(sorted(managers)) or '(none)'}"
            )
    return problems
