"""`python -m orchestration.bench.compare`: the before/after check of a change that must not alter results."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.bench.compare import compare, main


def _warehouse(path: Path, statements: list[str]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    for statement in statements:
        con.execute(statement)
    con.close()
    return path


def test_same_rows_in_another_order_an_added_column_and_float_noise_are_not_changes(tmp_path: Path) -> None:
    before = _warehouse(
        tmp_path / "before.duckdb",
        [
            "create table marts.t as select * from (values ('a', 0.1::double + 0.2), ('b', 1.0)) as v(k, x)",
            "create table marts.gone as select 1 as n",
        ],
    )
    after = _warehouse(
        tmp_path / "after.duckdb",
        [
            "create table marts.t as select * from (values ('b', 1.0, 'x'), ('a', 0.3, 'x')) v(k, x, tag)",
            "create table marts.fresh as select 1 as n",
        ],
    )
    assert compare(before, after) == [
        ("marts.fresh", "only after"),
        ("marts.gone", "only before"),
        ("marts.t", "same (added columns: tag)"),
    ]
    assert main([str(before), str(after)]) == 0


def test_a_changed_value_is_a_difference(tmp_path: Path) -> None:
    before = _warehouse(tmp_path / "b.duckdb", ["create table marts.t as select 'a' as k, 1 as n"])
    after = _warehouse(tmp_path / "a.duckdb", ["create table marts.t as select 'a' as k, 2 as n"])
    assert compare(before, after) == [("marts.t", "DIFFERENT")]
    assert main([str(before), str(after)]) == 1


def test_ignored_columns_are_left_out_of_the_checksum(tmp_path: Path) -> None:
    # Two loads of the same files differ in their load times only.
    table = "create table marts.t as select 'a' as k, timestamp '{}' as loaded_at"
    before = _warehouse(tmp_path / "b.duckdb", [table.format("2026-12-01 10:00")])
    after = _warehouse(tmp_path / "a.duckdb", [table.format("2026-12-02 06:00")])
    assert compare(before, after) == [("marts.t", "DIFFERENT")]
    assert compare(before, after, ignore=("loaded_at",)) == [("marts.t", "same")]


def test_schemas_are_separate_arguments_or_comma_separated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statements = ["create schema staging", "create table staging.s as select 1 as n"]
    before = _warehouse(tmp_path / "b.duckdb", [*statements, "create table marts.t as select 1 as n"])
    after = _warehouse(tmp_path / "a.duckdb", [*statements, "create table marts.t as select 2 as n"])
    for schemas in (["staging", "marts"], ["staging,marts"]):
        assert main([str(before), str(after), *schemas]) == 1
        printed = capsys.readouterr().out
        assert "staging.s" in printed and "marts.t" in printed and "DIFFERENT" in printed
