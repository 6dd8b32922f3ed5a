"""Querying the warehouse for report pages: named SQL blocks, their results, built-in relations.

A page's ```sql name``` block (or a shared query file, reports/queries/<name>.sql) is a SqlBlock; running
it gives a QueryResult. `${other}` inside SQL is another block inlined as a subquery, `$param` a bound
parameter. The connection is read-only: the engine adds only temporary objects (the `pulse_slug` macro,
built-in relations such as `freshness_thresholds`).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

CHAIN_REF = re.compile(r"\$\{\s*([A-Za-z_]\w*)\s*\}")
NAMED_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")


class BlockError(Exception):
    """A SQL block (or, with block None, a page template) that cannot be rendered."""

    def __init__(self, block: str | None, message: str) -> None:
        super().__init__(message)
        self.block = block
        self.message = message


@dataclass
class SqlBlock:
    name: str
    sql: str
    requires: list[str] = field(default_factory=list)
    line: int = 0
    file: str | None = None  # the shared query file (queries/as_of.sql); None for a page's own block

    @property
    def label(self) -> str:
        """How errors name the block: its name, or its file for a shared query."""
        return self.file or self.name


class Row:
    """One result row: row.col and row['col'] and row[0]. Not a dict, so a column may be called `items`."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple[Any, ...]) -> None:
        self._index = index
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self._values[key]
        return self._values[self._index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def get(self, key: str, default: Any = None) -> Any:
        return self._values[self._index[key]] if key in self._index else default

    def as_dict(self) -> dict[str, Any]:
        return {name: self._values[i] for name, i in self._index.items()}

    def __repr__(self) -> str:
        return f"Row({self.as_dict()!r})"


class QueryResult(list):
    """A block's rows (a list of Row) and columns; `skipped` says why a guarded block did not run."""

    def __init__(self, name: str, columns: list[str], rows: list[Row], skipped: str | None = None) -> None:
        super().__init__(rows)
        self.name = name
        self.columns = columns
        self.skipped = skipped

    def records(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self]


@dataclass(frozen=True)
class Relation:
    """A small table the engine registers in every connection (built from Python, e.g. dbt's config)."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    rows: tuple[tuple[Any, ...], ...]
    description: str = ""


def connect(
    warehouse: Path | str, setup_sql: tuple[str, ...] = (), relations: tuple[Relation, ...] = ()
) -> duckdb.DuckDBPyConnection:
    """A read-only connection with the engine's temporary macros and built-in relations."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for sql in setup_sql:
            con.execute(sql)
        for relation in relations:
            register_relation(con, relation)
    except BaseException:
        con.close()
        raise
    return con


def register_relation(con: duckdb.DuckDBPyConnection, relation: Relation) -> None:
    # A temporary table: allowed on a read-only connection, visible to this connection only.
    columns = ", ".join(f'"{name}" {kind}' for name, kind in relation.columns)
    con.execute(f'create or replace temp table "{relation.name}" ({columns})')
    if relation.rows:
        # Values are cast by DuckDB to the declared types (an interval from '2 days').
        marks = ", ".join(f"cast(? as {kind})" for _, kind in relation.columns)
        con.executemany(f'insert into "{relation.name}" values ({marks})', [list(r) for r in relation.rows])


def expand_chains(sql: str, blocks: Mapping[str, SqlBlock], seen: tuple[str, ...] = ()) -> str:
    """`${other_block}` inside SQL becomes that block's query as a subquery (Evidence query chaining)."""

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in blocks:
            raise BlockError(seen[-1] if seen else None, f"unknown block ${{{name}}}")
        if name in seen:
            raise BlockError(seen[-1], f"circular reference to ${{{name}}}")
        # the newline ends a trailing `-- comment` of the inlined query
        return "(" + expand_chains(blocks[name].sql, blocks, (*seen, name)) + "\n)"

    return CHAIN_REF.sub(replace, sql)


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, _, table = relation.rpartition(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema or "main", table],
    ).fetchone()
    return bool(row and row[0])


def _plain(value: Any) -> Any:
    # Decimal sums from DuckDB are shown and charted as floats.
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def run_block(
    con: duckdb.DuckDBPyConnection,
    block: SqlBlock,
    blocks: Mapping[str, SqlBlock],
    params: Mapping[str, Any],
) -> QueryResult:
    """Run one block (its `${...}` references inlined, its `$params` bound); BlockError on failure."""
    missing = [name for name in block.requires if not _relation_exists(con, name)]
    if missing:
        return QueryResult(block.name, [], [], skipped=f"{', '.join(missing)} not found in the warehouse")
    try:
        sql = expand_chains(block.sql, blocks, (block.name,))
    except BlockError as error:
        raise BlockError(block.label if error.block == block.name else error.block, error.message) from None
    used = {name: params[name] for name in NAMED_PARAM.findall(sql) if name in params}
    try:
        cursor = con.execute(sql, used) if used else con.execute(sql)
        columns = [column[0] for column in cursor.description or []]
        raw_rows = cursor.fetchall()
    except duckdb.Error as error:
        raise BlockError(block.label, str(error).strip()) from None
    index = {name: i for i, name in enumerate(columns)}
    rows = [Row(index, tuple(_plain(value) for value in raw)) for raw in raw_rows]
    return QueryResult(block.name, columns, rows)
