"""Validation of the playbook configuration (seed playbooks): which list entries create tasks, and how.

A playbook row names a smart list of seeds/lists.csv; entering the list creates a task (one open task per
list and account at most), assigned, prioritised and due as the row says. A bad row stops the build before any
model runs: `seeds/playbooks.csv:3: assign_to 'round robin' is not allowed; allowed: success_manager,
round_robin, fewest_open`. Dagster (before the dbt build) and `pulse tasks validate` call
validate_playbooks_config().
"""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.criteria.seed_rows import ConfigError, SeedRow, read_rows

PLAYBOOKS_FILE = "playbooks.csv"
LISTS_FILE = "lists.csv"
COLUMNS = ("list", "subject", "due_days", "assign_to", "assignees", "close_on_exit")
OPTIONAL = ("expire_days", "raise_priority_at_value", "description")
ASSIGN_TO = ("success_manager", "round_robin", "fewest_open")
BOOLEANS = ("true", "false")
SEPARATOR = "|"


class PlaybooksConfigError(ConfigError):
    """The playbook configuration is invalid; the message lists every problem as file:row: message."""

    what = "playbook configuration"


def _list_names(path: Path) -> list[str]:
    """The list names of lists.csv (the lists' own validator checks that file)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row.get("list") or "").strip() for row in csv.DictReader(handle) if row.get("list")]


def _whole_number(row: SeedRow, column: str, errors: list[str], required: bool) -> None:
    text = row.values.get(column, "")
    if not text and not required:
        return
    if not text.isdigit():
        errors.append(
            f"{row.where()}: {column} '{text}' is not allowed; allowed: a whole number of days, 0 or more"
        )


def _check_row(row: SeedRow, lists: list[str], seen: dict[str, SeedRow], errors: list[str]) -> None:
    values = row.values
    name = values["list"]
    if name not in lists:
        errors.append(
            f"{row.where()}: list '{name}' is not defined in {LISTS_FILE}; "
            f"allowed: {', '.join(lists) or '(none)'}"
        )
    elif name in seen:
        errors.append(f"{row.where()}: list '{name}' has two playbooks (first at {seen[name].where()})")
    else:
        seen[name] = row
    if not values["subject"]:
        errors.append(
            f"{row.where()}: subject is empty; allowed: the task's title, e.g. 30-day check-in call"
        )
    _whole_number(row, "due_days", errors, required=True)
    _whole_number(row, "expire_days", errors, required=False)
    assign_to = values["assign_to"]
    people = [person.strip() for person in values["assignees"].split(SEPARATOR) if person.strip()]
    if assign_to not in ASSIGN_TO:
        errors.append(
            f"{row.where()}: assign_to '{assign_to}' is not allowed; allowed: {', '.join(ASSIGN_TO)}"
        )
    elif assign_to != "success_manager" and not people:
        errors.append(
            f"{row.where()}: assign_to {assign_to} needs assignees; allowed: names separated by {SEPARATOR}"
        )
    if len(people) != len(set(people)):
        errors.append(f"{row.where()}: assignees name someone twice; allowed: each person once")
    if values["close_on_exit"].lower() not in BOOLEANS:
        errors.append(
            f"{row.where()}: close_on_exit '{values['close_on_exit']}' is not allowed; allowed: true, false"
        )
    value = values.get("raise_priority_at_value", "")
    if value:
        try:
            if float(value) < 0:
                raise ValueError(value)
        except ValueError:
            errors.append(
                f"{row.where()}: raise_priority_at_value '{value}' is not allowed; allowed: a contract value "
                "(a number, 0 or more), or empty"
            )


def collect_playbooks_config_errors(seeds_dir: Path | str) -> list[str]:
    """Every problem of seeds_dir's playbooks.csv (against its lists.csv), as `file:row: message`."""
    seeds = Path(seeds_dir)
    errors: list[str] = []
    lists = _list_names(seeds / LISTS_FILE)
    seen: dict[str, SeedRow] = {}
    path = seeds / PLAYBOOKS_FILE
    for row in read_rows(path, COLUMNS, OPTIONAL, errors):
        _check_row(row, lists, seen, errors)
    return errors


def validate_playbooks_config(seeds_dir: Path | str) -> list[str]:
    """Raise PlaybooksConfigError listing every problem; return [] when the configuration is valid."""
    errors = collect_playbooks_config_errors(seeds_dir)
    if errors:
        raise PlaybooksConfigError(errors)
    return errors
