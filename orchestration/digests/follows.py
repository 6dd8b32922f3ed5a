"""The follows configuration (seeds/follows.csv): who gets a digest, and of what.

One row per follow: `follower_email, follower_name, follows, target`, where `follows` is

- `account`: every alert of one account (target: the account id);
- `book`: every alert of the accounts a success manager manages that day (target: the success manager's
  name as the CRM writes it, e.g. `Priya Raman`);
- `list`: entries into and exits from one smart list (target: a list of seeds/lists.csv);
- `alert`: one kind of alert on every account (target: an alert kind, e.g. `new_paying_customer`: the
  office-wide "a new customer signed" drumbeat).

Validated before any model runs (the Dagster build and `pulse digest` call validate_follows_config); an error
names the file, the row and what is allowed. Account ids and success managers are data, not configuration:
a follow of one the warehouse does not know is reported when digests are composed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.criteria.seed_rows import ConfigError, SeedRow, read_rows

FOLLOWS_FILE = "follows.csv"
LISTS_FILE = "lists.csv"
COLUMNS = ("follower_email", "follower_name", "follows", "target")
FOLLOW_KINDS = ("account", "book", "list", "alert")
# The kinds of marts.fct_alerts (its accepted_values test says the same).
ALERT_KINDS = ("health_rank_changed", "list_entered", "list_left", "new_paying_customer")
# A plain address: no spaces, quotes, angle brackets or separators (nothing that could reach a header raw).
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Follow:
    follower_email: str
    follower_name: str
    follows: str
    target: str
    where: str  # file:row, for messages about this follow


class FollowsConfigError(ConfigError):
    """The follows configuration is invalid; the message lists every problem as file:row: message."""

    what = "follows configuration"


def _list_names(seeds: Path) -> list[str]:
    rows = read_rows(seeds / LISTS_FILE, ("list",), (), [])
    return [row.values["list"] for row in rows]


def _check_row(
    row: SeedRow, lists: list[str], names: dict[str, tuple[str, str]], errors: list[str]
) -> Follow | None:
    values = row.values
    email, name, kind, target = (values[column] for column in COLUMNS)
    before = len(errors)
    if not EMAIL.match(email):
        errors.append(
            f"{row.where()}: follower_email '{email}' is not an email address; "
            "allowed: name@domain (letters, digits and . _ % + ' -)"
        )
    if CONTROL.search(name) or CONTROL.search(target):
        errors.append(f"{row.where()}: a name or target may not hold line breaks or control characters")
    if kind not in FOLLOW_KINDS:
        errors.append(f"{row.where()}: follows '{kind}' is not allowed; allowed: {', '.join(FOLLOW_KINDS)}")
    elif not target:
        errors.append(f"{row.where()}: target is empty; a {kind} follow needs one")
    elif kind == "list" and target not in lists:
        errors.append(
            f"{row.where()}: list '{target}' is not defined in {LISTS_FILE}; allowed: {', '.join(lists)}"
        )
    elif kind == "alert" and target not in ALERT_KINDS:
        errors.append(f"{row.where()}: alert kind '{target}' is unknown; allowed: {', '.join(ALERT_KINDS)}")
    key = email.lower()
    if key in names and names[key][0] != name:
        errors.append(
            f"{row.where()}: follower {email} is named '{name}' here and '{names[key][0]}' at "
            f"{names[key][1]}; allowed: one name per email"
        )
    names.setdefault(key, (name, row.where()))
    if len(errors) > before:
        return None
    return Follow(email, name, kind, target, row.where())


def collect_follows_errors(seeds_dir: Path | str) -> tuple[list[Follow], list[str]]:
    """The valid follows of seeds_dir/follows.csv and every problem as `file:row: message`.

    A missing follows.csv is no follows (nobody gets a digest), not an error."""
    seeds = Path(seeds_dir)
    path = seeds / FOLLOWS_FILE
    if not path.exists():
        return [], []
    errors: list[str] = []
    lists = _list_names(seeds)
    follows: list[Follow] = []
    seen: dict[tuple[str, str, str], str] = {}
    names: dict[str, tuple[str, str]] = {}
    for row in read_rows(path, COLUMNS, (), errors):
        follow = _check_row(row, lists, names, errors)
        if follow is None:
            continue
        key = (follow.follower_email.lower(), follow.follows, follow.target)
        if key in seen:
            errors.append(f"{row.where()}: this follow is listed twice (first at {seen[key]})")
            continue
        seen[key] = row.where()
        follows.append(follow)
    return follows, errors


def validate_follows_config(seeds_dir: Path | str) -> list[Follow]:
    """The follows of seeds_dir, or FollowsConfigError listing every problem."""
    follows, errors = collect_follows_errors(seeds_dir)
    if errors:
        raise FollowsConfigError(errors)
    return follows
