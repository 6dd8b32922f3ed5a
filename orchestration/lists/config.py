"""Validation of the smart list configuration (seeds lists and list_criteria).

A bad list must stop the build before any model runs and say where and what is allowed:
`seeds/list_criteria.csv:7: metric 'active_dayz_30d' is unknown; allowed: ...`. Criteria are rule rows checked
by the one rule validator (orchestration.criteria.rules) against the metrics lists may use (the account
catalog, the user catalog and the health metrics: orchestration.metrics.catalog.load_list_catalog); the
list-level checks (names, severity, tag mode) are here. Dagster (before the dbt build) and
`pulse lists validate` call validate_lists_config().
"""

from __future__ import annotations

from pathlib import Path

from orchestration.criteria.rules import check_rule
from orchestration.criteria.seed_rows import IDENTIFIER, NAMES, ConfigError, SeedRow, read_rows
from orchestration.metrics.catalog import Metric, load_list_catalog
from orchestration.warehouse import PROJECT_ROOT

LISTS_FILE = "lists.csv"
CRITERIA_FILE = "list_criteria.csv"
LIST_COLUMNS = ("list", "folder", "owner", "severity", "tag", "tag_mode", "playbook", "description")
CRITERIA_COLUMNS = ("list", "criterion_id", "metric", "operator", "threshold")
CRITERIA_OPTIONAL = ("reason_label", "description")
SEVERITIES = ("low", "medium", "high", "critical")
TAG_MODES = ("add", "sticky", "none")
# A Salesforce multi-select value separates its items with ; (marts.dim_accounts.insights_tags).
TAG_SEPARATOR = ";"


class ListsConfigError(ConfigError):
    """The list configuration is invalid; the message lists every problem as file:row: message."""

    what = "list configuration"


def _check_lists(path: Path, errors: list[str]) -> dict[str, SeedRow]:
    lists: dict[str, SeedRow] = {}
    for row in read_rows(path, LIST_COLUMNS, (), errors):
        name = row.values["list"]
        severity = row.values["severity"]
        tag = row.values["tag"]
        tag_mode = row.values["tag_mode"] or "none"
        if not IDENTIFIER.match(name):
            errors.append(f"{row.where()}: list name '{name}' is not allowed; allowed: {NAMES}")
        elif name in lists:
            errors.append(f"{row.where()}: list '{name}' is defined twice (first at {lists[name].where()})")
        else:
            lists[name] = row
        if severity not in SEVERITIES:
            errors.append(
                f"{row.where()}: severity '{severity}' is not allowed; allowed: {', '.join(SEVERITIES)}"
            )
        if tag_mode not in TAG_MODES:
            errors.append(
                f"{row.where()}: tag_mode '{tag_mode}' is not allowed; allowed: {', '.join(TAG_MODES)}"
            )
        elif tag_mode != "none" and not tag:
            errors.append(f"{row.where()}: tag_mode {tag_mode} needs a tag")
        elif tag_mode == "none" and tag:
            errors.append(
                f"{row.where()}: tag '{tag}' has tag_mode none and would never be set; "
                "allowed: tag_mode add or sticky with a tag, or no tag"
            )
        if TAG_SEPARATOR in tag:
            errors.append(
                f"{row.where()}: tag '{tag}' contains '{TAG_SEPARATOR}' (the separator of the tags)"
            )
    return lists


def _check_criteria(
    path: Path, lists: dict[str, SeedRow], catalog: dict[str, Metric], errors: list[str]
) -> set[str]:
    """Check every criterion row; return the lists that have at least one criterion."""
    seen: dict[str, SeedRow] = {}
    used: set[str] = set()
    for row in read_rows(path, CRITERIA_COLUMNS, CRITERIA_OPTIONAL, errors):
        values = row.values
        if values["list"] not in lists:
            errors.append(
                f"{row.where()}: list '{values['list']}' is not defined in {LISTS_FILE}; "
                f"allowed: {', '.join(lists) or '(no lists defined)'}"
            )
        used.add(values["list"])
        criterion = values["criterion_id"]
        if not IDENTIFIER.match(criterion):
            errors.append(f"{row.where()}: criterion_id '{criterion}' is not allowed; allowed: {NAMES}")
        elif criterion in seen:
            errors.append(
                f"{row.where()}: criterion_id '{criterion}' is used twice "
                f"(first at {seen[criterion].where()})"
            )
        else:
            seen[criterion] = row
        errors.extend(
            check_rule(values["metric"], values["operator"], values["threshold"], row.where(), "", catalog)
        )
    return used


def collect_lists_config_errors(seeds_dir: Path | str, project_root: Path | str = PROJECT_ROOT) -> list[str]:
    """Every problem of seeds_dir's lists.csv and list_criteria.csv, as `file:row: message`.

    Metrics come from the catalogs of project_root: account, user (a user list: at least one user of the
    account satisfies every user criterion) and health metrics."""
    seeds = Path(seeds_dir)
    errors: list[str] = []
    catalog = load_list_catalog(project_root)
    lists = _check_lists(seeds / LISTS_FILE, errors)
    used = _check_criteria(seeds / CRITERIA_FILE, lists, catalog, errors)
    for name, row in lists.items():
        if name not in used:
            errors.append(
                f"{row.where()}: list '{name}' has no criteria in {CRITERIA_FILE} "
                "(it would hold every account); allowed: one or more criteria rows"
            )
    return errors


def validate_lists_config(seeds_dir: Path | str, project_root: Path | str = PROJECT_ROOT) -> list[str]:
    """Raise ListsConfigError listing every problem; return [] when the configuration is valid."""
    errors = collect_lists_config_errors(seeds_dir, project_root)
    if errors:
        raise ListsConfigError(errors)
    return errors
