"""Declarative mapping files: how one landing format becomes rows of one raw table.

A mapping is a YAML file in orchestration/mappings/. It is validated completely on load, and every error
names the file and the key, so a typo never half-applies. See README section "Adding a foreign format".
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.warehouse import RAW_DDL, RAW_TABLES
from orchestration.yaml_files import load_yaml

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
FORMATS = ("jsonl", "csv", "parquet")
UNIX_UNITS = {"unix_s": 1_000_000, "unix_ms": 1_000, "unix_us": 1}
TOP_KEYS = {
    "name", "description", "source", "files", "format", "target", "columns", "required",
    "accepted_values", "unmapped", "timestamp_parse", "delimiter", "rules",
}  # fmt: skip
RULE_KEYS = {"when", "require", "require_any", "reason", "not_in_future", "tolerance_hours"}
SOURCE_KINDS = ("path", "coalesce", "const", "template", "hash", "collect_prefix")
TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


class MappingError(ValueError):
    """A mapping file is invalid. The message names the file and the key."""


@dataclass(frozen=True)
class Column:
    """One target column and where its value comes from."""

    target: str
    sql_type: str  # from RAW_DDL: VARCHAR, DOUBLE, INTEGER, BIGINT, DATE, TIMESTAMP, JSON
    kind: str  # one of SOURCE_KINDS
    paths: tuple[str, ...] = ()  # source field paths (path, coalesce, hash, template fields)
    const: Any = None
    template: str | None = None
    prefix: str = ""  # hash id prefix or collect_prefix
    parse: str | None = None  # timestamps/dates: iso | unix_s | unix_ms | unix_us | strptime format
    values: tuple[tuple[str, str], ...] = ()  # value map for text columns: source value -> Pulse value

    def consumed_paths(self) -> tuple[str, ...]:
        """Source fields this column uses up. Hashed fields are only read, and value-mapped fields keep their
        original value, so both stay in `unmapped` too: nothing the source said is lost."""
        return () if self.kind == "hash" or self.values else self.paths


@dataclass(frozen=True)
class Needed:
    """What a row rule needs present: a mapped column, or a source field no column maps."""

    name: str
    is_field: bool = False

    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Rule:
    """A row rule of a format: rows matching `when` need `require` (all) and one of `require_any`; or a
    timestamp column may not be more than `tolerance_hours` after the load."""

    index: int
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()  # column -> accepted values (AND over columns)
    require: tuple[Needed, ...] = ()
    require_any: tuple[Needed, ...] = ()
    not_in_future: str | None = None
    tolerance_hours: float = 0.0
    reason: str | None = None


@dataclass(frozen=True)
class Mapping:
    name: str
    file: Path
    source: str
    files: tuple[str, ...]
    format: str
    target: str
    columns: dict[str, Column]
    required: dict[str, str | None]  # column -> custom reject reason (None: the default reason)
    accepted_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unmapped_into: str | None = None
    unmapped_key: str | None = None
    delimiter: str = ","
    rules: tuple[Rule, ...] = ()

    @property
    def dedup_key(self) -> str | None:
        """Event tables are deduplicated by message id; the others keep every version."""
        return "message_id" if "message_id" in self.columns else None


@functools.cache
def raw_columns() -> dict[str, dict[str, tuple[str, bool]]]:
    """{table: {column: (type, nullable)}} read from RAW_DDL itself, so mappings follow the contract."""
    con = duckdb.connect()
    try:
        con.execute(RAW_DDL)
        rows = con.execute(
            "select table_name, column_name, data_type, is_nullable = 'YES' from information_schema.columns "
            "where table_schema = 'raw' order by table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    tables: dict[str, dict[str, tuple[str, bool]]] = {}
    for table, column, data_type, nullable in rows:
        tables.setdefault(table, {})[column] = (data_type.upper(), nullable)
    return tables


def _fail(file: Path, key: str, problem: str) -> MappingError:
    return MappingError(f"{file}: {key}: {problem}")


def _check_path(file: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(file, key, f"a source field path must be a non-empty string, got {value!r}")
    if '"' in value:
        raise _fail(file, key, f"field path {value!r} may not contain double quotes")
    return value.strip()


def _parse_values(file: Path, key: str, sql_type: str, values: Any) -> tuple[tuple[str, str], ...]:
    """`values: {In Progress: open}` maps a source's codes onto Pulse's; other values pass through."""
    if values is None:
        return ()
    if sql_type != "VARCHAR":
        raise _fail(file, f"{key}.values", f"a value map is for text columns; this column is {sql_type}")
    if not isinstance(values, dict) or not values:
        raise _fail(file, f"{key}.values", "must be a mapping of source value -> Pulse value")
    for source, pulse in values.items():
        if isinstance(source, (dict, list)) or isinstance(pulse, (dict, list)):
            raise _fail(file, f"{key}.values.{source}", "source and Pulse values must be scalars")
    return tuple((str(source), str(pulse)) for source, pulse in values.items())


def _parse_column(file: Path, fmt: str, target: str, sql_type: str, spec: Any, default_parse: str) -> Column:
    key = f"columns.{target}"
    parse: str | None = None
    if isinstance(spec, str):
        spec = {"path": spec}
    elif isinstance(spec, list):
        spec = {"coalesce": spec}
    if not isinstance(spec, dict):
        raise _fail(
            file, key, f"expected a field path, a list of paths (coalesce) or a mapping, got {spec!r}"
        )
    kinds = [kind for kind in SOURCE_KINDS if kind in spec]
    unknown = set(spec) - set(SOURCE_KINDS) - {"parse", "prefix", "values"}
    if unknown:
        allowed = [*SOURCE_KINDS, "parse", "prefix", "values"]
        raise _fail(file, key, f"unknown option(s) {sorted(unknown)}; allowed: {allowed}")
    values = _parse_values(file, key, sql_type, spec.get("values"))
    if values:
        column = _parse_column(
            file, fmt, target, sql_type, {k: v for k, v in spec.items() if k != "values"}, default_parse
        )
        return dataclasses.replace(column, values=values)
    if len(kinds) != 1:
        raise _fail(file, key, f"give exactly one of {list(SOURCE_KINDS)}, got {kinds or 'none'}")
    kind = kinds[0]
    value = spec[kind]
    if sql_type in ("TIMESTAMP", "DATE"):
        parse = str(spec.get("parse", default_parse))
        if parse not in ("iso", *UNIX_UNITS) and "%" not in parse:
            raise _fail(
                file, f"{key}.parse", f"{parse!r} is not iso, unix_s, unix_ms, unix_us or a strptime format"
            )
    elif "parse" in spec:
        raise _fail(
            file, f"{key}.parse", f"only timestamp and date columns are parsed; {target} is {sql_type}"
        )
    if "prefix" in spec and kind != "hash":
        raise _fail(file, f"{key}.prefix", "prefix is only used with hash")
    if kind == "path":
        return Column(target, sql_type, kind, (_check_path(file, key, value),), parse=parse)
    if kind == "coalesce":
        if not isinstance(value, list) or not value:
            raise _fail(file, key, "coalesce needs a non-empty list of field paths")
        return Column(target, sql_type, kind, tuple(_check_path(file, key, v) for v in value), parse=parse)
    if kind == "const":
        if isinstance(value, (dict, list)):
            raise _fail(file, key, "const must be a scalar")
        return Column(target, sql_type, kind, const=value, parse=parse)
    if kind == "template":
        if not isinstance(value, str):
            raise _fail(file, key, "template must be a string such as 'sparkify-{userId}'")
        names = tuple(_check_path(file, key, n) for n in TEMPLATE_FIELD.findall(value))
        if not names:
            raise _fail(file, key, f"template {value!r} names no {{field}}")
        return Column(target, sql_type, kind, names, template=value, parse=parse)
    if kind == "hash":
        if sql_type != "VARCHAR":
            raise _fail(file, key, f"hash makes a string id; {target} is {sql_type}")
        if not isinstance(value, list) or not value:
            raise _fail(file, key, "hash needs a non-empty list of the fields that identify a row")
        prefix = spec.get("prefix", "")
        return Column(
            target, sql_type, kind, tuple(_check_path(file, key, v) for v in value), prefix=str(prefix)
        )
    # collect_prefix: every CSV column starting with the prefix, as one JSON object
    if sql_type != "JSON":
        raise _fail(file, key, f"collect_prefix builds a JSON object; {target} is {sql_type}")
    if fmt != "csv":
        raise _fail(file, key, "collect_prefix is only supported for csv files")
    if not isinstance(value, str) or not value:
        raise _fail(file, key, "collect_prefix must be a non-empty string such as 'sdr_u.'")
    return Column(target, sql_type, kind, prefix=value)


def _needed(file: Path, key: str, value: Any, columns: dict[str, Column]) -> Needed:
    if isinstance(value, dict) and set(value) == {"field"}:
        return Needed(_check_path(file, key, value["field"]), is_field=True)
    if isinstance(value, str) and value in columns:
        return Needed(value)
    raise _fail(
        file, key, f"{value!r} is not a mapped column; name a column {sorted(columns)} or {{field: <path>}}"
    )


def _parse_rules(file: Path, document: dict, columns: dict[str, Column]) -> tuple[Rule, ...]:
    """`rules:` the input rules of the format, each a reject reason for the rows that break it."""
    raw = document.get("rules") or []
    if not isinstance(raw, list):
        raise _fail(file, "rules", "must be a list of rules")
    rules: list[Rule] = []
    for index, spec in enumerate(raw):
        key = f"rules[{index}]"
        if not isinstance(spec, dict):
            shapes = "{when, require, require_any, reason} or {not_in_future, tolerance_hours, reason}"
            raise _fail(file, key, f"a rule is a mapping: {shapes}")
        unknown = set(spec) - RULE_KEYS
        if unknown:
            raise _fail(file, key, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
        reason = spec.get("reason")
        if reason is not None and (not isinstance(reason, str) or not reason.strip()):
            raise _fail(file, f"{key}.reason", "must be a non-empty string")
        if "not_in_future" in spec:
            extra = set(spec) - {"not_in_future", "tolerance_hours", "reason"}
            if extra:
                raise _fail(
                    file, key, f"a not_in_future rule takes tolerance_hours and reason, not {sorted(extra)}"
                )
            column = spec["not_in_future"]
            if column not in columns or columns[column].sql_type not in ("TIMESTAMP", "DATE"):
                stamps = sorted(c for c, col in columns.items() if col.sql_type in ("TIMESTAMP", "DATE"))
                raise _fail(
                    file, f"{key}.not_in_future", f"{column!r} is not a mapped timestamp column: {stamps}"
                )
            hours = spec.get("tolerance_hours", 0)
            if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
                raise _fail(file, f"{key}.tolerance_hours", f"must be a number of hours >= 0, got {hours!r}")
            rules.append(Rule(index, not_in_future=column, tolerance_hours=float(hours), reason=reason))
            continue
        when_spec = spec.get("when") or {}
        if not isinstance(when_spec, dict):
            raise _fail(file, f"{key}.when", "must map columns to a value or a list of values")
        when: list[tuple[str, tuple[str, ...]]] = []
        for column, values in when_spec.items():
            if column not in columns:
                raise _fail(file, f"{key}.when.{column}", f"is not a mapped column: {sorted(columns)}")
            values = values if isinstance(values, list) else [values]
            if not values or any(isinstance(v, (dict, list)) or v is None for v in values):
                raise _fail(file, f"{key}.when.{column}", "must be a value or a non-empty list of values")
            when.append((column, tuple(str(v) for v in values)))
        require = spec.get("require") or []
        require_any = spec.get("require_any") or []
        if not isinstance(require, list) or not isinstance(require_any, list) or not (require or require_any):
            raise _fail(file, key, "give require (all of) and/or require_any (one of): lists of columns")
        rules.append(
            Rule(
                index,
                when=tuple(when),
                require=tuple(
                    _needed(file, f"{key}.require[{i}]", v, columns) for i, v in enumerate(require)
                ),
                require_any=tuple(
                    _needed(file, f"{key}.require_any[{i}]", v, columns) for i, v in enumerate(require_any)
                ),
                reason=reason,
            )
        )
    return tuple(rules)


def load_mapping(file: Path | str) -> Mapping:
    """Read and validate one mapping file."""
    file = Path(file)
    try:
        document = load_yaml(file)
    except (OSError, yaml.YAMLError) as error:
        raise MappingError(f"{file}: cannot read YAML: {error}") from error
    if not isinstance(document, dict):
        raise MappingError(f"{file}: a mapping file must be a YAML mapping with keys {sorted(TOP_KEYS)}")
    unknown = set(document) - TOP_KEYS
    if unknown:
        raise _fail(file, ", ".join(sorted(unknown)), f"unknown key(s); allowed: {sorted(TOP_KEYS)}")
    for key in ("source", "files", "format", "target", "columns"):
        if key not in document:
            raise _fail(file, key, "missing (required)")

    name = str(document.get("name") or file.stem)
    source = document["source"]
    if not isinstance(source, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]+", source):
        raise _fail(file, "source", f"must be a landing folder name (letters, digits, _ . -), got {source!r}")
    globs = document["files"]
    globs = [globs] if isinstance(globs, str) else globs
    if not isinstance(globs, list) or not globs or not all(isinstance(g, str) and g for g in globs):
        raise _fail(file, "files", "must be a file glob or a list of globs, e.g. 'Account-*.csv'")
    fmt = document["format"]
    if fmt not in FORMATS:
        raise _fail(file, "format", f"{fmt!r} is not one of {list(FORMATS)} (gzip is inferred from .gz)")
    target = document["target"]
    if target not in RAW_TABLES:
        raise _fail(file, "target", f"{target!r} is not a raw table; allowed: {list(RAW_TABLES)}")
    table = raw_columns()[target]
    default_parse = str(document.get("timestamp_parse", "iso"))

    specs = document["columns"]
    if not isinstance(specs, dict) or not specs:
        raise _fail(file, "columns", "must map target columns to source fields")
    columns: dict[str, Column] = {}
    for target_column, spec in specs.items():
        if target_column not in table or target_column.startswith("_"):
            allowed = [c for c in table if not c.startswith("_")]
            raise _fail(file, f"columns.{target_column}", f"not a column of raw.{target}; allowed: {allowed}")
        sql_type = table[target_column][0]
        columns[target_column] = _parse_column(file, fmt, target_column, sql_type, spec, default_parse)

    not_null = [c for c, (_, nullable) in table.items() if not nullable and not c.startswith("_")]
    missing = [c for c in not_null if c not in columns]
    if missing:
        raise _fail(
            file, "columns", f"raw.{target} requires {missing} (not null) but the mapping does not set them"
        )

    raw_required = document.get("required", [])
    if isinstance(raw_required, list):
        required: dict[str, str | None] = {str(c): None for c in raw_required}
    elif isinstance(raw_required, dict):
        required = {str(c): (None if r is None else str(r)) for c, r in raw_required.items()}
    else:
        raise _fail(file, "required", "must be a list of columns or a mapping column -> reject reason")
    for column in required:
        if column not in columns:
            raise _fail(file, f"required.{column}", "is not a mapped column")
    for column in not_null:  # a not-null raw column is always required: the row cannot be stored otherwise
        required.setdefault(column, None)

    accepted_raw = document.get("accepted_values", {}) or {}
    if not isinstance(accepted_raw, dict):
        raise _fail(file, "accepted_values", "must map a column to its list of accepted values")
    accepted: dict[str, tuple[str, ...]] = {}
    for column, values in accepted_raw.items():
        if column not in columns:
            raise _fail(file, f"accepted_values.{column}", "is not a mapped column")
        if not isinstance(values, list) or not values:
            raise _fail(file, f"accepted_values.{column}", "must be a non-empty list")
        accepted[column] = tuple(str(v) for v in values)

    unmapped = document.get("unmapped")
    unmapped_into = unmapped_key = None
    if unmapped is not None:
        if isinstance(unmapped, str):
            unmapped = {"into": unmapped}
        if not isinstance(unmapped, dict) or set(unmapped) - {"into", "key"} or "into" not in unmapped:
            raise _fail(file, "unmapped", "must be a JSON column name or {into: <json column>, key: <name>}")
        unmapped_into = unmapped["into"]
        unmapped_key = unmapped.get("key")
        if table.get(unmapped_into, ("", True))[0] != "JSON":
            json_columns = [c for c, (t, _) in table.items() if t == "JSON"]
            raise _fail(
                file,
                "unmapped.into",
                f"{unmapped_into!r} is not a JSON column of raw.{target}: {json_columns}",
            )

    delimiter = document.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _fail(file, "delimiter", "must be a single character")

    return Mapping(
        name=name,
        file=file,
        source=source,
        files=tuple(globs),
        format=fmt,
        target=target,
        columns=columns,
        required=required,
        accepted_values=accepted,
        unmapped_into=unmapped_into,
        unmapped_key=None if unmapped_key is None else str(unmapped_key),
        delimiter=delimiter,
        rules=_parse_rules(file, document, columns),
    )


def load_mappings(directory: Path | str | None = None) -> list[Mapping]:
    """Every *.yml / *.yaml mapping in `directory` (default orchestration/mappings/), validated."""
    directory = Path(directory) if directory else MAPPINGS_DIR
    files = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    if not files:
        raise MappingError(f"{directory}: no mapping files (*.yml)")
    mappings = [load_mapping(file) for file in files]
    seen: dict[str, Path] = {}
    for mapping in mappings:
        if mapping.name in seen:
            raise MappingError(f"{mapping.file}: name: {mapping.name!r} is also used by {seen[mapping.name]}")
        seen[mapping.name] = mapping.file
    return sorted(mappings, key=lambda m: m.name)
