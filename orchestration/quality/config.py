"""checks.yml: the raw-table quality thresholds, loaded into typed rules and validated before any run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.yaml_files import load_yaml

DEFAULT_CONFIG_PATH = Path(__file__).with_name("checks.yml")
SEVERITIES = ("ERROR", "WARN")
TOP_KEYS = {"future_tolerance_days", "lookback_days", "blocking", "reject_rate", "tables"}
TABLE_KEYS = {"severity", "key", "not_null", "not_in_future", "in_set"}
RULE_KEYS = {"column", "when", "mostly", "severity"}
SET_RULE_KEYS = RULE_KEYS | {"values", "lowercase"}


class QualityConfigError(ValueError):
    """A bad checks.yml value, with the file, the key and what is allowed."""

    def __init__(self, path: Path, key: str, problem: str) -> None:
        super().__init__(f"{path}: {key}: {problem}")
        self.path, self.key, self.problem = path, key, problem


@dataclass(frozen=True)
class ColumnRule:
    column: str
    severity: str
    mostly: float = 1.0
    when: tuple[tuple[str, str], ...] = ()  # (column, value) equalities that select the rows checked


@dataclass(frozen=True)
class SetRule(ColumnRule):
    values: tuple[str, ...] = ()
    lowercase: bool = False


@dataclass(frozen=True)
class TableChecks:
    table: str
    key: str
    severity: str
    not_null: tuple[ColumnRule, ...] = ()
    not_in_future: tuple[str, ...] = ()
    in_set: tuple[SetRule, ...] = ()

    def columns(self) -> list[str]:
        """Only the columns the rules need: the frame handed to Great Expectations stays small."""
        wanted = [self.key]
        for rule in (*self.not_null, *self.in_set):
            wanted += [rule.column, *(c for c, _ in rule.when)]
        wanted += list(self.not_in_future)
        return list(dict.fromkeys(wanted))


@dataclass(frozen=True)
class QualityConfig:
    future_tolerance_days: float = 1.0
    lookback_days: int | None = None
    blocking: bool = False
    reject_max_rate: float = 0.05
    reject_severity: str = "ERROR"
    tables: dict[str, TableChecks] = field(default_factory=dict)
    # Sources whose rejects are expected (e.g. anonymous traffic) get their own limit, by mapping name.
    reject_max_rate_by_mapping: dict[str, float] = field(default_factory=dict)


@cache
def raw_columns() -> dict[str, set[str]]:
    """Columns of every raw table, read from RAW_DDL itself (in-memory DuckDB) so typos are caught."""
    import duckdb

    from orchestration.warehouse import ensure_raw_schema

    con = duckdb.connect()
    try:
        ensure_raw_schema(con)
        found: dict[str, set[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
        ).fetchall():
            found.setdefault(table, set()).add(column)
        return found
    finally:
        con.close()


def load_config(path: Path | str | None = None) -> QualityConfig:
    path = Path(path) if path else DEFAULT_CONFIG_PATH
    try:
        data = load_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise QualityConfigError(path, "(file)", f"cannot read YAML: {exc}") from exc
    return parse_config(data, path)


def parse_config(data: Any, path: Path = DEFAULT_CONFIG_PATH) -> QualityConfig:
    def fail(key: str, problem: str) -> QualityConfigError:
        return QualityConfigError(path, key, problem)

    def mapping(value: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise fail(key, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise fail(key, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")
        return value

    def number(value: Any, key: str, low: float, high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(key, f"expected a number, got {value!r}")
        if value < low or (high is not None and value > high):
            raise fail(
                key, f"{value!r} is out of range; allowed {low} to {high if high is not None else 'any'}"
            )
        return float(value)

    def severity(value: Any, key: str, default: str) -> str:
        if value is None:
            return default
        if not isinstance(value, str) or value.upper() not in SEVERITIES:
            raise fail(key, f"{value!r} is not a severity; allowed: {list(SEVERITIES)}")
        return value.upper()

    def column(value: Any, key: str, table: str) -> str:
        known = raw_columns()[table]
        if not isinstance(value, str) or value not in known:
            raise fail(key, f"{value!r} is not a column of raw.{table}; allowed: {sorted(known)}")
        return value

    top = mapping(data, "(top level)", TOP_KEYS)
    lookback = top.get("lookback_days")
    if lookback is not None and (isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1):
        raise fail("lookback_days", f"{lookback!r}: expected a whole number of days >= 1, or null")
    blocking = top.get("blocking", False)
    if not isinstance(blocking, bool):
        raise fail("blocking", f"{blocking!r}: expected true or false")
    rejects = mapping(top.get("reject_rate", {}), "reject_rate", {"max_rate", "severity", "by_mapping"})
    by_mapping_data = rejects.get("by_mapping") or {}
    if not isinstance(by_mapping_data, dict):
        raise fail("reject_rate.by_mapping", "expected a mapping of mapping name to its max_rate")
    by_mapping = {
        str(name): number(rate, f"reject_rate.by_mapping.{name}", 0.0, 1.0)
        for name, rate in by_mapping_data.items()
    }

    tables_data = top.get("tables")
    if not isinstance(tables_data, dict) or not tables_data:
        raise fail("tables", "expected a mapping of raw table name to its rules")
    tables: dict[str, TableChecks] = {}
    for table, spec in tables_data.items():
        base = f"tables.{table}"
        if table not in raw_columns():
            raise fail(base, f"not a raw table; allowed: {sorted(raw_columns())}")
        spec = mapping(spec, base, TABLE_KEYS)
        table_severity = severity(spec.get("severity"), f"{base}.severity", "ERROR")
        key = column(spec.get("key"), f"{base}.key", table)

        def rule_fields(
            raw: Any, rule_key: str, allowed: set[str], tbl: str = table, sev: str = table_severity
        ):
            raw = mapping(raw, rule_key, allowed)
            when = mapping(raw.get("when", {}), f"{rule_key}.when", raw_columns()[tbl])
            for when_column, when_value in when.items():
                if not isinstance(when_value, str | int | float) or isinstance(when_value, bool):
                    raise fail(f"{rule_key}.when.{when_column}", f"{when_value!r}: expected a plain value")
            return raw, {
                "column": column(raw.get("column"), f"{rule_key}.column", tbl),
                "severity": severity(raw.get("severity"), f"{rule_key}.severity", sev),
                "mostly": number(raw.get("mostly", 1.0), f"{rule_key}.mostly", 0.0, 1.0),
                "when": tuple((c, str(v)) for c, v in when.items()),
            }

        not_null = []
        for i, raw_rule in enumerate(spec.get("not_null") or []):
            _, common = rule_fields(raw_rule, f"{base}.not_null[{i}]", RULE_KEYS)
            not_null.append(ColumnRule(**common))

        future = spec.get("not_in_future") or []
        if not isinstance(future, list):
            raise fail(f"{base}.not_in_future", "expected a list of timestamp columns")
        not_in_future = tuple(column(c, f"{base}.not_in_future[{i}]", table) for i, c in enumerate(future))

        in_set = []
        for i, raw_rule in enumerate(spec.get("in_set") or []):
            rule_key = f"{base}.in_set[{i}]"
            raw_rule, common = rule_fields(raw_rule, rule_key, SET_RULE_KEYS)
            values = raw_rule.get("values")
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise fail(f"{rule_key}.values", "expected a non-empty list of strings")
            lowercase = raw_rule.get("lowercase", False)
            if not isinstance(lowercase, bool):
                raise fail(f"{rule_key}.lowercase", f"{lowercase!r}: expected true or false")
            if lowercase:
                values = [v.lower() for v in values]
            in_set.append(SetRule(**common, values=tuple(values), lowercase=lowercase))

        tables[table] = TableChecks(
            table=table,
            key=key,
            severity=table_severity,
            not_null=tuple(not_null),
            not_in_future=not_in_future,
            in_set=tuple(in_set),
        )

    return QualityConfig(
        future_tolerance_days=number(top.get("future_tolerance_days", 1), "future_tolerance_days", 0.0),
        lookback_days=lookback,
        blocking=blocking,
        reject_max_rate=number(rejects.get("max_rate", 0.05), "reject_rate.max_rate", 0.0, 1.0),
        reject_severity=severity(rejects.get("severity"), "reject_rate.severity", "ERROR"),
        tables=tables,
        reject_max_rate_by_mapping=by_mapping,
    )
