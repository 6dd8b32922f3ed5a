"""Validation of the health configuration (seeds: health_profiles, health_criteria, health_settings).

A bad configuration must stop the build before any model runs and say where and what is allowed:
`seeds/health_criteria.csv:7: metric 'active_dayz_14d' is unknown; allowed: account_age_days, ...`.
Dagster and `pulse health validate` call validate_health_config() before dbt.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.health.metrics import CHANGE_OPERATORS, METRICS, NULL_OPERATORS, NUMBER, operators_for

PROFILES_FILE = "health_profiles.csv"
CRITERIA_FILE = "health_criteria.csv"
SETTINGS_FILE = "health_settings.csv"

PROFILE_COLUMNS = ("profile", "precedence", "is_default", "model", "segment_filter")
PROFILE_OPTIONAL = ("good_min_score", "poor_max_score", "description")
CRITERIA_COLUMNS = ("profile", "category", "criterion_id", "outcome", "metric", "operator", "threshold")
CRITERIA_OPTIONAL = ("weight", "category_weight", "reason_label", "description")
MODELS = ("rules", "weighted")
OUTCOMES = ("Good", "Poor")
BOOLEANS = {"true": True, "false": False}
# Categories a criterion may use unless health_settings.csv lists its own (setting `categories`, | separated).
DEFAULT_CATEGORIES = (
    "usage",
    "engagement",
    "adoption",
    "onboarding",
    "risk",
    "work",
    "sentiment",
    "satisfaction",
    "support",
    "service",
    "renewal",
    "value",
)
SETTINGS: dict[str, str] = {
    "parent_rollup_method": "children | contract_value",
    "parent_good_share": "a number in (0, 1]",
    "parent_poor_share": "a number in (0, 1]",
    "average_score": "a number in [0, 100]",
    "population_average_score": "a number in [0, 100]",
    "categories": "category names separated by |",
}
MAX_FILTER_CONDITIONS = 5  # int_health_profile_filters parses at most this many
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_PROFILES = ("parent_rollup",)


class HealthConfigError(Exception):
    """The health configuration is invalid; the message lists every problem as file:row: message."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("invalid health configuration:\n" + "\n".join(f"  {error}" for error in errors))


@dataclass
class _Row:
    file: str
    line: int
    values: dict[str, str]

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _read(path: Path, required: tuple[str, ...], optional: tuple[str, ...], errors: list[str]) -> list[_Row]:
    if not path.exists():
        errors.append(f"{path}: file is missing")
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        unknown = [column for column in header if column not in required + optional]
        if missing:
            errors.append(
                f"{path}:1: missing column(s) {', '.join(missing)}; required: {', '.join(required)}"
            )
        if unknown:
            errors.append(
                f"{path}:1: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(required + optional)}"
            )
        if missing:
            return []
        rows = []
        for number, record in enumerate(reader, start=2):
            values = {key: (value or "").strip() for key, value in record.items() if key is not None}
            if any(values.values()):
                rows.append(_Row(str(path), number, values))
        return rows


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _check_condition(metric: str, operator: str, threshold: str, where: str, what: str) -> list[str]:
    """Errors of one `metric operator threshold` (a criterion or a segment condition)."""
    if metric not in METRICS:
        return [f"{where}: {what}metric '{metric}' is unknown; allowed: {', '.join(METRICS)}"]
    allowed = operators_for(metric)
    if operator not in allowed:
        return [
            f"{where}: {what}operator '{operator}' is not allowed on {METRICS[metric]} metric {metric}; "
            f"allowed: {', '.join(allowed)}"
        ]
    if operator in NULL_OPERATORS:
        return [] if not threshold else [f"{where}: {what}{operator} takes no threshold (got '{threshold}')"]
    if not threshold:
        return [f"{where}: {what}{operator} on {metric} needs a threshold"]
    if operator == "between":
        parts = threshold.split("|")
        numbers = [_number(part) for part in parts]
        if len(parts) != 2 or None in numbers:
            return [f"{where}: {what}threshold '{threshold}' of between must be two numbers 'low|high'"]
        if numbers[0] > numbers[1]:
            return [f"{where}: {what}threshold '{threshold}': low is above high"]
        return []
    if operator in ("in", "not_in"):
        if any(not item.strip() for item in threshold.split("|")):
            return [f"{where}: {what}threshold '{threshold}' of {operator} must be values separated by |"]
        return []
    if (METRICS[metric] == NUMBER or operator in CHANGE_OPERATORS) and _number(threshold) is None:
        kind = "a ratio such as -0.5 (= halved)" if operator in CHANGE_OPERATORS else "a number"
        return [f"{where}: {what}threshold '{threshold}' is not a number; {metric} {operator} needs {kind}"]
    return []


def parse_segment_filter(text: str) -> list[tuple[str, str, str]]:
    """`journey_stage = Onboarding and onboarding_program = Project` -> [(metric, operator, value), ...]."""
    conditions = []
    for part in text.split(" and "):
        tokens = part.strip().split(" ", 2)
        conditions.append(
            (tokens[0], tokens[1] if len(tokens) > 1 else "", tokens[2].strip() if len(tokens) > 2 else "")
        )
    return conditions


def _check_settings(seeds_dir: Path, errors: list[str]) -> tuple[str, ...]:
    path = seeds_dir / SETTINGS_FILE
    categories = DEFAULT_CATEGORIES
    if not path.exists():
        return categories
    for row in _read(path, ("setting", "value"), ("description",), errors):
        name, value = row.values["setting"], row.values["value"]
        if name not in SETTINGS:
            errors.append(f"{row.where()}: setting '{name}' is unknown; allowed: {', '.join(SETTINGS)}")
        elif name == "parent_rollup_method" and value not in ("children", "contract_value"):
            errors.append(f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTINGS[name]}")
        elif name in ("parent_good_share", "parent_poor_share"):
            number = _number(value)
            if number is None or not 0 < number <= 1:
                errors.append(f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTINGS[name]}")
        elif name in ("average_score", "population_average_score"):
            number = _number(value)
            if number is None or not 0 <= number <= 100:
                errors.append(f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTINGS[name]}")
        elif name == "categories":
            categories = tuple(item.strip() for item in value.split("|") if item.strip())
            bad = [item for item in categories if not IDENTIFIER.match(item)]
            if bad or not categories:
                errors.append(f"{row.where()}: categories '{value}' must be lowercase names separated by |")
    return categories


def _check_profiles(seeds_dir: Path, errors: list[str]) -> dict[str, _Row]:
    profiles: dict[str, _Row] = {}
    precedences: dict[int, str] = {}
    defaults: list[_Row] = []
    for row in _read(seeds_dir / PROFILES_FILE, PROFILE_COLUMNS, PROFILE_OPTIONAL, errors):
        values, where = row.values, row.where()
        name = values["profile"]
        if not IDENTIFIER.match(name):
            errors.append(f"{where}: profile '{name}' must be a lowercase name (a-z, 0-9, _)")
        elif name in RESERVED_PROFILES:
            errors.append(f"{where}: profile name '{name}' is reserved for parent accounts")
        elif name in profiles:
            errors.append(f"{where}: profile '{name}' is defined twice (also {profiles[name].where()})")
        profiles.setdefault(name, row)
        try:
            precedence = int(values["precedence"])
        except ValueError:
            errors.append(f"{where}: precedence '{values['precedence']}' must be a whole number")
        else:
            if precedence in precedences:
                errors.append(
                    f"{where}: precedence {precedence} is also used by profile '{precedences[precedence]}'"
                )
            precedences.setdefault(precedence, name)
        is_default = values["is_default"].lower()
        if is_default not in BOOLEANS:
            errors.append(f"{where}: is_default '{values['is_default']}' must be true or false")
        elif BOOLEANS[is_default]:
            defaults.append(row)
        if values["model"] not in MODELS:
            errors.append(f"{where}: model '{values['model']}' is unknown; allowed: {', '.join(MODELS)}")
        bands = {}
        for column in ("good_min_score", "poor_max_score"):
            text = values.get(column, "")
            if text:
                number = _number(text)
                if number is None or not 0 <= number <= 100:
                    errors.append(f"{where}: {column} '{text}' must be a number in [0, 100]")
                else:
                    bands[column] = number
        if len(bands) == 2 and bands["poor_max_score"] >= bands["good_min_score"]:
            errors.append(f"{where}: poor_max_score must be below good_min_score")
        segment = values["segment_filter"]
        if segment:
            conditions = parse_segment_filter(segment)
            if len(conditions) > MAX_FILTER_CONDITIONS:
                errors.append(
                    f"{where}: segment_filter has {len(conditions)} conditions; at most "
                    f"{MAX_FILTER_CONDITIONS} joined by ' and '"
                )
            for metric, operator, value in conditions:
                errors.extend(_check_condition(metric, operator, value, where, "segment_filter: "))
    if len(defaults) > 1:
        errors.append(
            f"{defaults[1].where()}: a second default profile ('{defaults[1].values['profile']}'; "
            f"'{defaults[0].values['profile']}' at {defaults[0].where()} is already the default); "
            "allowed: exactly one is_default=true"
        )
    elif not defaults and profiles:
        errors.append(
            f"{seeds_dir / PROFILES_FILE}: no default profile; allowed: exactly one is_default=true"
        )
    elif defaults and precedences:
        default = defaults[0]
        try:
            if int(default.values["precedence"]) < max(precedences):
                errors.append(f"{default.where()}: the default profile must come last (highest precedence)")
        except ValueError:
            pass
    return profiles


def _check_criteria(
    seeds_dir: Path, profiles: dict[str, _Row], categories: tuple[str, ...], errors: list[str]
) -> None:
    seen: dict[str, str] = {}
    category_weights: dict[tuple[str, str], tuple[str, str]] = {}
    used_profiles: set[str] = set()
    for row in _read(seeds_dir / CRITERIA_FILE, CRITERIA_COLUMNS, CRITERIA_OPTIONAL, errors):
        values, where = row.values, row.where()
        profile, category, criterion = values["profile"], values["category"], values["criterion_id"]
        if profile not in profiles:
            errors.append(
                f"{where}: profile '{profile}' is not in {PROFILES_FILE}; allowed: {', '.join(profiles)}"
            )
        used_profiles.add(profile)
        if category not in categories:
            errors.append(
                f"{where}: category '{category}' is unknown; allowed: {', '.join(categories)} "
                f"(setting `categories` in {SETTINGS_FILE})"
            )
        if not criterion:
            errors.append(f"{where}: criterion_id is empty")
        elif criterion in seen:
            errors.append(f"{where}: criterion_id '{criterion}' is used twice (also {seen[criterion]})")
        seen.setdefault(criterion, where)
        if values["outcome"] not in OUTCOMES:
            errors.append(
                f"{where}: outcome '{values['outcome']}' is unknown; allowed: {', '.join(OUTCOMES)}"
            )
        errors.extend(_check_condition(values["metric"], values["operator"], values["threshold"], where, ""))
        for column in ("weight", "category_weight"):
            text = values.get(column, "")
            if text and ((_number(text) or 0) <= 0):
                errors.append(f"{where}: {column} '{text}' must be a positive number")
        weight = values.get("category_weight", "")
        if weight:
            key = (profile, category)
            if key in category_weights and category_weights[key][0] != weight:
                errors.append(
                    f"{where}: category_weight {weight} differs from {category_weights[key][0]} "
                    f"at {category_weights[key][1]} for the same category"
                )
            category_weights.setdefault(key, (weight, where))
        label = values.get("reason_label", "")
        if re.sub(r"\{value\}", "", label).count("{") or "}" in re.sub(r"\{value\}", "", label):
            errors.append(f"{where}: reason_label '{label}' may only use the placeholder {{value}}")
    for name, row in profiles.items():
        if name not in used_profiles:
            errors.append(f"{row.where()}: profile '{name}' has no criteria in {CRITERIA_FILE}")


def find_parent_cycles(parents: dict[str, str | None]) -> list[list[str]]:
    """Cycles in a child -> parent mapping, each as [a, b, ..., a]."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = parents.get(node)
        if node is not None and node in path:
            cycle = path[path.index(node) :] + [node]
            cycles.append(cycle)
        done.update(path)
    return cycles


def _check_hierarchy(warehouse: Path, errors: list[str]) -> None:
    """The CRM parent hierarchy (latest version of each raw.crm_accounts row) must have no cycle.

    Each cycle is reported at the landing file and line of the row that set its first account's parent
    (raw.crm_accounts._file_id/_line, the path from raw.loaded_files), with where the other links were set.
    """
    import duckdb

    if not warehouse.exists():
        return
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_name in ('crm_accounts', 'loaded_files')"
            ).fetchall()
        }
        if "crm_accounts" not in tables:
            return
        has_files = "loaded_files" in tables
        file_join = "left join raw.loaded_files as f on f.file_id = a._file_id" if has_files else ""
        rows = con.execute(
            f"""
            select a.sf_id, a.parent_sf_id, {"f.path" if has_files else "null"}, a._file_id, a._line
            from raw.crm_accounts as a
            {file_join}
            qualify row_number() over (
                partition by a.sf_id order by a.last_modified_at desc, a._loaded_at desc
            ) = 1
            order by a.sf_id
            """
        ).fetchall()
    finally:
        con.close()
    where = {
        sf_id: f"{path}:{line}" if path else f"raw.crm_accounts (file {file_id}, line {line})"
        for sf_id, _, path, file_id, line in rows
    }
    for cycle in find_parent_cycles({sf_id: parent for sf_id, parent, *_ in rows}):
        others = ", ".join(f"{node} at {where[node]}" for node in cycle[1:-1])
        errors.append(
            f"{where[cycle[0]]}: raw.crm_accounts account {cycle[0]}: parent hierarchy has a cycle "
            f"{' -> '.join(cycle)}"
            + (f" (the other links: {others})" if others else "")
            + "; allowed: a tree (no account is its own ancestor)"
        )


def collect_health_config_errors(seeds_dir: Path | str, warehouse: Path | str | None = None) -> list[str]:
    """Every problem in seeds_dir (and the warehouse CRM hierarchy), as `file:row: message`."""
    seeds = Path(seeds_dir)
    errors: list[str] = []
    categories = _check_settings(seeds, errors)
    profiles = _check_profiles(seeds, errors)
    _check_criteria(seeds, profiles, categories, errors)
    if warehouse is not None:
        _check_hierarchy(Path(warehouse), errors)
    return errors


def validate_health_config(seeds_dir: Path | str, warehouse: Path | str | None = None) -> list[str]:
    """Raise HealthConfigError listing every problem; return [] when the configuration is valid."""
    errors = collect_health_config_errors(seeds_dir, warehouse)
    if errors:
        raise HealthConfigError(errors)
    return errors
