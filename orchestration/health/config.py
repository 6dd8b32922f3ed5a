"""Validation of the health configuration (seeds: health_profiles, health_segment_filters, health_criteria,
health_settings).

A bad configuration must stop the build before any model runs and say where and what is allowed:
`seeds/health_criteria.csv:7: metric 'active_dayz_14d' is unknown; allowed: account_age_days, ...`.
Dagster and `pulse health validate` call validate_health_config() before dbt. Criteria and segment filters are
rule rows checked by orchestration.criteria.rules against the metric catalog; the settings, their types and
defaults are the columns of intermediate.int_health_settings (its properties file).
"""

from __future__ import annotations

import re
from pathlib import Path

from orchestration.criteria.rules import check_rule
from orchestration.criteria.seed_rows import IDENTIFIER, ConfigError
from orchestration.criteria.seed_rows import SeedRow as _Row
from orchestration.criteria.seed_rows import read_rows as _read
from orchestration.metrics.catalog import Metric, load_catalog
from orchestration.warehouse import PROJECT_ROOT
from orchestration.yaml_files import load_yaml

PROFILES_FILE = "health_profiles.csv"
SEGMENT_FILTERS_FILE = "health_segment_filters.csv"
CRITERIA_FILE = "health_criteria.csv"
SETTINGS_FILE = "health_settings.csv"
# The settings model's properties: one column per setting, with its type and default (config.meta.default).
SETTINGS_MODEL_FILE = PROJECT_ROOT / "models" / "intermediate" / "health" / "_int_health__models.yml"
SETTINGS_MODEL = "int_health_settings"

PROFILE_COLUMNS = ("profile", "precedence", "is_default", "model")
PROFILE_OPTIONAL = ("good_min_score", "poor_max_score", "description")
SEGMENT_FILTER_COLUMNS = ("profile", "metric", "operator", "value")
SEGMENT_FILTER_OPTIONAL = ("description",)
CRITERIA_COLUMNS = ("profile", "category", "criterion_id", "outcome", "metric", "operator", "threshold")
CRITERIA_OPTIONAL = ("weight", "category_weight", "reason_label", "description")
MODELS = ("rules", "weighted")
OUTCOMES = ("Good", "Poor")
BOOLEANS = {"true": True, "false": False}
# What each setting allows (the settings themselves and their defaults: int_health_settings' properties).
SETTING_RULES: dict[str, str] = {
    "parent_rollup_method": "children | contract_value",
    "parent_good_share": "a number in (0, 1]",
    "parent_poor_share": "a number in (0, 1]",
    "average_score": "a number in [0, 100]",
    "population_average_score": "a number in [0, 100]",
    "hold_moved_share": "a number in (0, 1]",
    "hold_min_accounts": "a whole number >= 1",
    "categories": "category names separated by |",
}
RESERVED_PROFILES = ("parent_rollup",)


class HealthConfigError(ConfigError):
    """The health configuration is invalid; the message lists every problem as file:row: message."""

    what = "health configuration"


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def setting_defaults(path: Path = SETTINGS_MODEL_FILE) -> dict[str, str]:
    """{setting: default as text}, from the columns of int_health_settings (the one place defaults live)."""
    spec = load_yaml(path)
    model = next(model for model in spec["models"] if model["name"] == SETTINGS_MODEL)
    return {
        column["name"]: str(((column.get("config") or {}).get("meta") or {}).get("default", ""))
        for column in model["columns"]
    }


def _check_settings(seeds_dir: Path, errors: list[str]) -> tuple[str, ...]:
    path = seeds_dir / SETTINGS_FILE
    defaults = setting_defaults()
    categories = tuple(defaults["categories"].split("|"))
    if not path.exists():
        return categories
    for row in _read(path, ("setting", "value"), ("description",), errors):
        name, value = row.values["setting"], row.values["value"]
        if name not in defaults:
            errors.append(f"{row.where()}: setting '{name}' is unknown; allowed: {', '.join(defaults)}")
        elif name == "parent_rollup_method" and value not in ("children", "contract_value"):
            errors.append(f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTING_RULES[name]}")
        elif name == "hold_min_accounts":
            number = _number(value)
            if number is None or number < 1 or number != int(number):
                errors.append(
                    f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTING_RULES[name]}"
                )
        elif name in ("parent_good_share", "parent_poor_share", "hold_moved_share"):
            number = _number(value)
            if number is None or not 0 < number <= 1:
                errors.append(
                    f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTING_RULES[name]}"
                )
        elif name in ("average_score", "population_average_score"):
            number = _number(value)
            if number is None or not 0 <= number <= 100:
                errors.append(
                    f"{row.where()}: {name} '{value}' is not allowed; allowed: {SETTING_RULES[name]}"
                )
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


def _check_segment_filters(
    path: Path, profiles: dict[str, _Row], catalog: dict[str, Metric], errors: list[str]
) -> None:
    """One row per condition (any number per profile); each is a rule checked like a criterion."""
    for row in _read(path, SEGMENT_FILTER_COLUMNS, SEGMENT_FILTER_OPTIONAL, errors):
        values, where = row.values, row.where()
        if values["profile"] not in profiles:
            errors.append(
                f"{where}: profile '{values['profile']}' is not in {PROFILES_FILE}; "
                f"allowed: {', '.join(profiles)}"
            )
        errors.extend(
            check_rule(
                values["metric"], values["operator"], values["value"], where, "segment filter: ", catalog
            )
        )


def _check_criteria(
    seeds_dir: Path,
    profiles: dict[str, _Row],
    categories: tuple[str, ...],
    catalog: dict[str, Metric],
    errors: list[str],
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
        errors.extend(
            check_rule(values["metric"], values["operator"], values["threshold"], where, "", catalog)
        )
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


def collect_health_config_errors(
    seeds_dir: Path | str, warehouse: Path | str | None = None, project_root: Path | str = PROJECT_ROOT
) -> list[str]:
    """Every problem in seeds_dir (and the warehouse CRM hierarchy), as `file:row: message`.

    Metrics come from the metric catalog of project_root (a copy of the project in tests)."""
    seeds = Path(seeds_dir)
    errors: list[str] = []
    catalog = load_catalog(project_root)
    categories = _check_settings(seeds, errors)
    profiles = _check_profiles(seeds, errors)
    # A candidate folder without its own segment filters is evaluated with the project's (like preview).
    filters = seeds / SEGMENT_FILTERS_FILE
    if not filters.exists():
        filters = PROJECT_ROOT / "seeds" / SEGMENT_FILTERS_FILE
    _check_segment_filters(filters, profiles, catalog, errors)
    _check_criteria(seeds, profiles, categories, catalog, errors)
    if warehouse is not None:
        _check_hierarchy(Path(warehouse), errors)
    return errors


def validate_health_config(
    seeds_dir: Path | str, warehouse: Path | str | None = None, project_root: Path | str = PROJECT_ROOT
) -> list[str]:
    """Raise HealthConfigError listing every problem; return [] when the configuration is valid."""
    errors = collect_health_config_errors(seeds_dir, warehouse, project_root)
    if errors:
        raise HealthConfigError(errors)
    return errors
