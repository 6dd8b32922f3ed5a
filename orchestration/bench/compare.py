"""Compare two warehouses table by table: `python -m orchestration.bench.compare BEFORE.duckdb AFTER.duckdb`.

For a change that must not alter results: per table of the given schemas (default marts), the row count and an
order-independent checksum of every row (the sum of row hashes) over the columns both warehouses have, so an
added column is reported as added, not as a changed table. Doubles are rounded to 6 places first: float sums
vary in their last bits with the order of addition, which is not a change of result. Exit 1 when a table
differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def table_columns(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """{schema.table: {column: type}}."""
    tables: dict[str, dict[str, str]] = {}
    for schema, table, column, kind in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema in (select unnest(?)) order by 1, 2, 3",
        [list(schemas)],
    ).fetchall():
        tables.setdefault(f"{schema}.{table}", {})[column] = kind
    return tables


def checksum(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> tuple[int, int]:
    """(rows, sum of row hashes) of the table over the given columns."""
    parts = [
        f'round("{name}", 6)::varchar' if kind in FLOAT_TYPES else f'"{name}"::varchar'
        for name, kind in sorted(columns.items())
    ]
    schema, name = table.split(".")
    rows, total = con.execute(
        f'select count(*), coalesce(sum(hash({", ".join(parts)}) % 1000000007), 0) from "{schema}"."{name}"'
    ).fetchone()
    return int(rows), int(total)


def compare(
    before: Path | str,
    after: Path | str,
    schemas: tuple[str, ...] = ("marts",),
    ignore: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """[(table, verdict)]: same, DIFFERENT, only before or only after; added or dropped columns named.

    ignore: columns left out of every checksum, e.g. load times, which differ between any two loads.
    """
    old_con = duckdb.connect(str(before), read_only=True)
    new_con = duckdb.connect(str(after), read_only=True)
    try:
        old_tables, new_tables = table_columns(old_con, schemas), table_columns(new_con, schemas)
        verdicts = []
        for table in sorted(old_tables.keys() | new_tables.keys()):
            if table not in new_tables or table not in old_tables:
                verdicts.append((table, "only before" if table not in new_tables else "only after"))
                continue
            kept = {c: k for c, k in old_tables[table].items() if c not in ignore}
            shared = {c: k for c, k in kept.items() if new_tables[table].get(c) == k}
            same = checksum(old_con, table, shared) == checksum(new_con, table, shared)
            verdict = "same" if same else "DIFFERENT"
            added = sorted(new_tables[table].keys() - old_tables[table].keys())
            dropped = sorted(old_tables[table].keys() - new_tables[table].keys())
            if added:
                verdict += f" (added columns: {', '.join(added)})"
            if dropped:
                verdict += f" (dropped or retyped columns: {', '.join(dropped)})"
            verdicts.append((table, verdict))
        return verdicts
    finally:
        old_con.close()
        new_con.close()


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m orchestration.bench.compare BEFORE.duckdb AFTER.duckdb [SCHEMA[,SCHEMA] ...]")
        return 2
    # separate arguments or comma-separated (`staging intermediate marts` used to compare staging only)
    schemas = tuple(name for arg in argv[2:] for name in arg.split(",") if name) or ("marts",)
    verdicts = compare(argv[0], argv[1], schemas)
    for table, verdict in verdicts:
        print(f"{table:<48} {verdict}")
    return 1 if any(verdict.startswith("DIFFERENT") for _, verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
