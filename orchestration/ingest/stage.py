"""One SQL statement per file that types every mapped column and gives each bad row its reject reason.

Vectorized in DuckDB: JSON lines are parsed once per row with the list form of json_extract_string, values are
converted with try_cast / try_strptime, and a CASE picks the first problem of each row. No per-row Python.
"""

from __future__ import annotations

import json

from orchestration.ingest.mapping import UNIX_UNITS, Column, Mapping, Needed, Rule

MAX_MICROS = 253_402_300_799_000_000  # 9999-12-31: anything later is not a real timestamp
NUMERIC = ("DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "SMALLINT", "HUGEINT", "DECIMAL", "BOOLEAN")


def lit(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def json_path(path: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in path.split("."))


def _list(names: list[str]) -> str:
    """A SQL list of string literals (typed, so an empty one is still a list of varchar)."""
    return f"[{', '.join(lit(name) for name in names)}]::varchar[]"


def _nest(parts: list[str]) -> dict:
    """{"a": {"b": None}} for ["a", "b"]: the merge patch that removes a.b."""
    patch: dict = {parts[-1]: None}
    for part in reversed(parts[:-1]):
        patch = {part: patch}
    return patch


def _shown(expr: str) -> str:
    """The offending value inside a reason, quoted and cut short."""
    return f"'''' || left({expr}, 80) || ''''"


class StageSql:
    """Builds the staging query for one mapping and one file (CSV needs the file's header)."""

    def __init__(self, mapping: Mapping, header: list[str] | None = None) -> None:
        self.mapping = mapping
        # CSV header name -> column c<i> of the split record (a repeated name: the first column wins);
        # None for JSON-shaped input (jsonl, parquet)
        self.header: dict[str, str] | None = None
        self.width = 0
        if header is not None:
            self.width = len(header)
            self.header = {}
            for index, name in enumerate(header):
                self.header.setdefault(name, f"c{index}")
        self.scalar_paths: list[str] = []
        self.json_paths: list[str] = []

    # -- source fields -------------------------------------------------------------------------------
    def _field(self, path: str, blank_is_null: bool = True) -> str:
        """A source field as varchar ('' counts as missing)."""
        if self.header is None:
            if path not in self.scalar_paths:
                self.scalar_paths.append(path)
            expr = f"_f[{self.scalar_paths.index(path) + 1}]"
        else:
            column = self.header.get(path)
            expr = ident(column) if column else "null::varchar"
        return f"nullif({expr}, '')" if blank_is_null else expr

    def _json_field(self, path: str) -> str:
        if self.header is None:
            if path not in self.json_paths:
                self.json_paths.append(path)
            return f"_g[{self.json_paths.index(path) + 1}]"
        return f"to_json({self._field(path)})"

    def _label(self, column: Column) -> str:
        if column.kind == "const":
            return f"const {column.const!r}"
        if column.kind == "template":
            return f"template {column.template}"
        if column.kind == "hash":
            return "hash of " + ", ".join(column.paths)
        if column.kind == "collect_prefix":
            return f"columns {column.prefix}*"
        return " | ".join(column.paths)

    def _absent(self, column: Column) -> list[str]:
        """CSV header fields the column needs but the file does not have."""
        if self.header is None or column.kind not in ("path", "coalesce", "template"):
            return []
        return [path for path in column.paths if path not in self.header]

    def _collect(self, prefix: str) -> str:
        assert self.header is not None
        pairs = [
            f"{lit(name[len(prefix) :])}, {self._field(name)}"
            for name in self.header
            if name.startswith(prefix)
        ]
        return f"json_merge_patch('{{}}', json_object({', '.join(pairs)}))" if pairs else "null::json"

    def source_expr(self, column: Column) -> str:
        """The untyped value: varchar for scalar columns, JSON for JSON columns; value maps applied."""
        expr = self._unmapped_value(column)
        if not column.values:
            return expr
        whens = " ".join(f"when {lit(source)} then {lit(pulse)}" for source, pulse in column.values)
        return f"(case {expr} {whens} else {expr} end)"

    def _unmapped_value(self, column: Column) -> str:
        if column.kind == "const":
            return f"to_json({lit(column.const)})" if column.sql_type == "JSON" else lit(column.const)
        if column.kind == "collect_prefix":
            return self._collect(column.prefix)
        if column.kind == "hash":
            parts = ", ".join(f"coalesce({self._field(p, blank_is_null=False)}, '')" for p in column.paths)
            prefix = column.prefix if column.prefix else f"{self.mapping.name}-"
            return f"{lit(prefix)} || left(sha256(concat_ws(chr(31), {parts})), 32)"
        if column.kind == "template":
            pieces: list[str] = []
            rest = column.template or ""
            for name in column.paths:
                before, _, rest = rest.partition("{" + name + "}")
                if before:
                    pieces.append(lit(before))
                pieces.append(self._field(name))
            if rest:
                pieces.append(lit(rest))
            return "(" + " || ".join(pieces) + ")"
        if column.sql_type == "JSON":
            values = [self._json_field(path) for path in column.paths]
        else:
            values = [self._field(path) for path in column.paths]
        return values[0] if len(values) == 1 else f"coalesce({', '.join(values)})"

    # -- typing --------------------------------------------------------------------------------------
    @staticmethod
    def typed_expr(column: Column, source: str) -> str:
        sql_type = column.sql_type
        if sql_type in ("VARCHAR", "JSON"):
            return source
        if sql_type in ("TIMESTAMP", "DATE"):
            parse = column.parse or "iso"
            if parse == "iso":
                value = f"try_cast({source} as timestamptz)::timestamp"
                if sql_type == "DATE":
                    return f"coalesce(try_cast({source} as date), {value}::date)"
            elif parse in UNIX_UNITS:
                micros = f"try_cast({source} as double) * {UNIX_UNITS[parse]}"
                value = (
                    f"case when abs({micros}) < {MAX_MICROS} "
                    f"then try(make_timestamp(cast(round({micros}) as bigint))) end"
                )
            else:
                value = f"try_strptime({source}, {lit(parse)})::timestamp"
            return f"({value})::date" if sql_type == "DATE" else value
        return f"try_cast({source} as {sql_type})"

    def _unmapped(self) -> str | None:
        """JSON object of the source fields no column uses, computed once per row as column `_u`."""
        mapping = self.mapping
        consumed = {path for column in mapping.columns.values() for path in column.consumed_paths()}
        if self.header is None:
            return self._json_leftover(consumed)
        prefixes = [c.prefix for c in mapping.columns.values() if c.kind == "collect_prefix"]
        names = [n for n in self.header if n not in consumed and not any(n.startswith(p) for p in prefixes)]
        if not names:
            return None
        pairs = ", ".join(f"{lit(name)}, {self._field(name)}" for name in names)
        return f"json_merge_patch('{{}}', json_object({pairs}))"

    @staticmethod
    def _json_leftover(consumed: set[str]) -> str:
        """The row's JSON without the consumed fields, '{}' when nothing is left.

        A JSON merge patch with null leaves removes just the used fields (context.groupId, not context), but
        it leaves their parent behind as {} when nothing else was in it (and adds it when absent). So: when
        every key of the row is used (json_keys, no patch at all: the common case of a lean export) the
        answer is '{}'; otherwise the patched row, each parent that ends up empty removed by a second patch.
        """
        tree: dict = {}  # parent -> {child: subtree}; None marks a field used whole
        for path in sorted(consumed, key=lambda p: (p.count("."), p)):
            node = tree
            *parents, leaf = path.split(".")
            for part in parents:
                if node.get(part, {}) is None:
                    break  # an ancestor is used whole
                node = node.setdefault(part, {})
            else:
                node[leaf] = None

        def empty(node: dict, parts: list[str]) -> str:
            """SQL: true when every key of the object at `parts` (absent counts as empty) is used."""
            keys = f"json_keys(_j, {lit(json_path('.'.join(parts)))})" if parts else "json_keys(_j)"
            leaves = [name for name, child in node.items() if child is None]
            parents = [name for name, child in node.items() if child is not None]
            others = keys
            if parents:
                others = f"list_filter({keys}, lambda k: not list_contains({_list(parents)}, k))"
            tests = [f"coalesce(list_has_all({_list(leaves)}, {others}), true)"]
            tests += [empty(node[name], [*parts, name]) for name in parents]
            return "(" + " and ".join(tests) + ")"

        def cleaned(node: dict, parts: list[str], expr: str) -> str:
            """expr without the parents under `parts` that end up empty (CASE evaluates one branch a row)."""
            for name, child in node.items():
                if child is None:
                    continue
                path = [*parts, name]
                removed = f"json_merge_patch({expr}, {lit(json.dumps(_nest(path)))})"
                expr = f"case when {empty(child, path)} then {removed} else {cleaned(child, path, expr)} end"
            return expr

        patch = json.dumps(tree, sort_keys=True)
        leftover = cleaned(tree, [], f"json_merge_patch(_j, {lit(patch)})")
        return f"case when {empty(tree, [])} then '{{}}'::json else {leftover} end"

    def _csv_fields(self, relation: str, unmapped_expr: str | None) -> str:
        """CSV records -> fields c0, c1, ... in DuckDB: a record without quotes is split at the delimiter; a
        quoted one is checked against RFC 4180 and its fields extracted and unquoted with regular expressions.
        A record that is not valid CSV, or has another number of fields than the header, is rejected."""
        delimiter = self.mapping.delimiter
        inside = "\\" + delimiter if delimiter in "]\\^-" else delimiter
        quoted = '"(?:[^"]|"")*"'
        unquoted = f'[^{inside}"][^{inside}]*'
        one = f"(?:{quoted}|{unquoted}|)"
        full = f"^{one}(?:[{inside}]{one})*$"
        extract = f"[{inside}]({quoted}|[^{inside}]*)"
        columns = ", ".join(f"_c[{index + 1}] as c{index}" for index in range(self.width)) or "null as _none"
        return f"""
split as (
    select _fidx, _line, _raw, _bad,
        case when _bad is not null then null
            when not contains(_raw, '"') then string_split(_raw, {lit(delimiter)})
            when regexp_full_match(_raw, {lit(full)}) then list_transform(
                regexp_extract_all({lit(delimiter)} || _raw, {lit(extract)}, 1),
                lambda f: case when starts_with(f, '"') then replace(f[2:-2], '""', '"') else f end)
        end as _c
    from {relation}
    where trim(_raw) <> ''
),
cols as (
    select _fidx, _line, _raw, _bad, _c, {columns} from split
),
fields as (
    select *,
        case when _bad is not null then _bad
            when _c is null then 'malformed CSV (a quote inside a field that is not quoted as a whole)'
            when len(_c) <> {self.width} then 'wrong field count: expected {self.width} fields (header), got '
                || len(_c)
        end as _err,
        {unmapped_expr or "null::json"} as _u
    from cols
)"""

    def _rule_check(self, rule: Rule, rule_fields: dict[str, str]) -> str:
        """One WHEN of the reject CASE for an input rule of the format (mapping key `rules`)."""
        where = self.mapping.file.name
        if rule.not_in_future is not None:
            value = f"t.{ident(rule.not_in_future)}"
            hours = f"{rule.tolerance_hours:g}"
            reason = rule.reason or (
                f"{rule.not_in_future} in the future: more than {hours} h after the load "
                f"(rules[{rule.index}] of {where}): "
            )
            limit = f"current_timestamp::timestamp + to_microseconds({round(rule.tolerance_hours * 3600e6)})"
            shown = f" || {_shown(value + '::varchar')}" if rule.reason is None else ""
            return f"when {value} > {limit} then {lit(reason)}{shown}"

        def present(needed: Needed) -> str:
            if needed.is_field:
                rule_fields.setdefault(needed.name, self._field(needed.name))
                return f"t.{ident('f__' + needed.name)} is not null"
            return f"t.{ident('s__' + needed.name)} is not null"

        conditions = [
            f"t.{ident(column)}::varchar in ({', '.join(lit(v) for v in values)})"
            for column, values in rule.when
        ]
        broken = [f"not ({present(n)})" for n in rule.require]
        if rule.require_any:
            broken.append("not (" + " or ".join(present(n) for n in rule.require_any) + ")")
        test = " and ".join(conditions) if conditions else "true"
        if rule.reason:
            reason = rule.reason
        else:
            when = ", ".join(f"{c} = {'|'.join(v)}" for c, v in rule.when) or "every row"
            needs = [n.label() for n in rule.require]
            if rule.require_any:
                needs.append(" or ".join(n.label() for n in rule.require_any))
            reason = f"{when} needs {' and '.join(needs)} (rules[{rule.index}] of {where})"
        return f"when {test} and ({' or '.join(broken)}) then {lit(reason)}"

    # -- the query -----------------------------------------------------------------------------------
    def query(self, relation: str) -> str:
        """Select from `relation` (_fidx, _line, _raw, _bad) -> _fidx, _line, _raw, _reason, targets.

        `_fidx` tells the files of a batch apart. `_raw` is kept only for rejected rows (nothing else reads
        it); dropping it and the untyped `s__*` helpers halves what the stage table stores.
        """
        mapping = self.mapping
        sources = {name: self.source_expr(column) for name, column in mapping.columns.items()}
        unmapped_expr = self._unmapped() if mapping.unmapped_into else None
        unmapped = None
        if unmapped_expr is not None:
            # `_u` is computed once in `fields`; nested under `key` when the mapping says so
            unmapped = (
                f"case when _u <> '{{}}' then json_object({lit(mapping.unmapped_key)}, _u) end"
                if mapping.unmapped_key
                else "nullif(_u, '{}')"
            )
            into = mapping.unmapped_into
            assert into is not None
            if into in sources:
                value = sources[into]
                sources[into] = (
                    f"case when {unmapped} is null then {value} "
                    f"when {value} is null then {unmapped} "
                    f"when json_type({value}) = 'OBJECT' then json_merge_patch({value}, {unmapped}) "
                    f"else {value} end"
                )
            else:
                sources[into] = unmapped
        elif mapping.unmapped_into and mapping.unmapped_into not in sources:
            sources[mapping.unmapped_into] = "null::json"  # nothing left over in this file

        typed = {}
        for name in sources:
            column, raw = mapping.columns.get(name), f"s.{ident('s__' + name)}"
            typed[name] = self.typed_expr(column, raw) if column else raw

        checks: list[str] = []
        for name, custom in mapping.required.items():
            column = mapping.columns[name]
            absent = self._absent(column)
            if custom:
                reason = custom
            elif absent and len(absent) == len(column.paths):
                reason = f"missing column {', '.join(map(repr, absent))} in CSV header (needed for {name})"
            else:
                reason = f"missing required field {name} ({self._label(column)})"
            checks.append(f"when t.{ident('s__' + name)} is null then {lit(reason)}")
        for name, column in mapping.columns.items():
            if column.sql_type in ("VARCHAR", "JSON"):
                continue
            raw, value = f"t.{ident('s__' + name)}", f"t.{ident(name)}"
            if column.sql_type in ("TIMESTAMP", "DATE"):
                label = f"{self._label(column)}, {column.parse}"
                what = f"unparseable {column.sql_type.lower()} for {name} ({label}): "
            else:
                what = f"wrong type for {name} ({self._label(column)}): expected {column.sql_type}, got "
            checks.append(f"when {raw} is not null and {value} is null then {lit(what)} || {_shown(raw)}")
        for name, values in mapping.accepted_values.items():
            allowed = ", ".join(lit(v) for v in values)
            what = f"unknown {name} ({self._label(mapping.columns[name])}) "
            tail = f" (accepted: {', '.join(values)})"
            value = f"t.{ident(name)}"
            checks.append(
                f"when {value} is not null and {value}::varchar not in ({allowed}) "
                f"then {lit(what)} || {_shown(value + '::varchar')} || {lit(tail)}"
            )

        rule_fields: dict[str, str] = {}
        checks += [self._rule_check(rule, rule_fields) for rule in mapping.rules]

        source_list = ",\n    ".join(
            [f"{expr} as {ident('s__' + name)}" for name, expr in sources.items()]
            + [f"{expr} as {ident('f__' + path)}" for path, expr in rule_fields.items()]
        )
        typed_list = ",\n    ".join(f"{expr} as {ident(name)}" for name, expr in typed.items())
        names = ", ".join(ident(name) for name in typed)
        reason = "case when t._err is not null then t._err\n    " + "\n    ".join(checks) + "\n    end"

        if self.header is None:
            scalar = ", ".join(lit(json_path(p)) for p in self.scalar_paths) or "'$.__none__'"
            jsons = ", ".join(lit(json_path(p)) for p in self.json_paths) or "'$.__none__'"
            parsed = f"""
parsed as (
    -- valid JSON whose first non-blank character is a brace is an object: no second parse to ask json_type
    select _fidx, _line, _raw, _bad, _ok, case when _ok and left(ltrim(_raw), 1) = '{{' then _raw end as _j
    from (select _fidx, _line, _raw, _bad, _bad is null and json_valid(_raw) as _ok
          from {relation}
          where left(_raw, 1) = '{{' or trim(_raw) <> '') as lines
),
fields as (
    select _fidx, _line, _raw, _j,
        case when _bad is not null then _bad when not _ok then 'invalid JSON'
            when _j is null then 'not a JSON object' end as _err,
        json_extract_string(_j, [{scalar}]) as _f,
        json_extract(_j, [{jsons}]) as _g,
        {unmapped_expr or "null::json"} as _u
    from parsed
)"""
        else:
            parsed = self._csv_fields(relation, unmapped_expr)
        return f"""
with {parsed.strip()},
s as (
    select _fidx, _line, _raw, _err,
    {source_list}
    from fields
),
t as (
    select s.*,
    {typed_list}
    from s
),
r as (
    select t.*, {reason} as _reason
    from t as t
)
select _fidx, _line, case when _reason is not null then _raw end as _raw, _reason, {names}
from r
"""
