"""Which days the daily dbt models rebuild: the plan of a Pulse build, and the record of the last one.

A build is incremental when the last one finished with the same project (a hash of the models, seeds, macros
and dbt settings) and only app events arrived since: the daily models (macro `daily_incremental`) replace
their rows from the day of the earliest new event, late events included, or from the first day after the
last build's as-of date, whichever is earlier. Anything else rebuilds every day with `--full-refresh`: the
first build, a changed project, or new rows of the CRM, helpdesk or billing exports, whose current attributes
(an account's parent, its creation date, a subscription's history) can reach any day.

The plan is a row of raw.rebuild_plan, read by the models at run time, not a dbt var: dbt keeps its partial
parse from one day to the next. It exists only while the build runs, so a bare `dbt build` rebuilds every day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from orchestration.dbt_project import dbt_input_files
from orchestration.warehouse import RAW_TABLES, REBUILD_DDL

# The raw table whose new rows change only the days they fall on (by event time).
EVENTS_TABLE = "app_events"


@dataclass(frozen=True)
class RebuildPlan:
    mode: str  # full | incremental
    rebuild_from: date | None  # incremental: the first day the daily models replace
    reason: str
    loaded_through: datetime | None  # the newest raw row the build sees
    project_hash: str

    @property
    def dbt_args(self) -> list[str]:
        return ["--full-refresh"] if self.mode == "full" else []

    def describe(self) -> str:
        if self.mode == "full":
            return f"daily models: every day ({self.reason})"
        return f"daily models: from {self.rebuild_from} ({self.reason})"


def project_hash() -> str:
    """A hash of everything dbt builds from: a change anywhere (a model, a seed row) means a full rebuild."""
    digest = hashlib.sha256()
    for path, relative in dbt_input_files():
        digest.update(relative.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _full(reason: str, loaded_through: datetime | None, hashed: str) -> RebuildPlan:
    return RebuildPlan("full", None, reason, loaded_through, hashed)


def plan_rebuild(con: duckdb.DuckDBPyConnection, hashed: str | None = None) -> RebuildPlan:
    """Decide what the coming build rebuilds, from the raw tables and the last finished build (read only)."""
    hashed = hashed or project_hash()
    loaded_through = con.execute(
        "select max(loaded) from ("
        + " union all ".join(f"select max(_loaded_at) as loaded from raw.{table}" for table in RAW_TABLES)
        + ")"
    ).fetchone()[0]
    recorded = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'raw' and table_name = 'model_builds'"
    ).fetchone()[0]
    last = (
        con.execute(
            "select loaded_through, project_hash, as_of_date from raw.model_builds"
            " order by finished_at desc limit 1"
        ).fetchone()
        if recorded
        else None
    )
    if last is None or last[0] is None or last[2] is None:
        return _full("no earlier build", loaded_through, hashed)
    last_loaded, last_hash, last_as_of = last
    if last_hash != hashed:
        return _full("models, seeds or macros changed since the last build", loaded_through, hashed)
    exports = [
        table
        for table in RAW_TABLES
        if table != EVENTS_TABLE
        and con.execute(f"select count(*) from raw.{table} where _loaded_at > ?", [last_loaded]).fetchone()[0]
    ]
    if exports:
        tables = ", ".join(f"raw.{table}" for table in exports)
        return _full(f"new rows in {tables}, which can change any day", loaded_through, hashed)
    first_event_day = con.execute(
        f"select min(event_at)::date from raw.{EVENTS_TABLE} where _loaded_at > ?", [last_loaded]
    ).fetchone()[0]
    next_day = last_as_of + timedelta(days=1)
    if first_event_day is not None and first_event_day < next_day:
        reason = f"events loaded since the last build reach back to {first_event_day}"
        return RebuildPlan("incremental", first_event_day, reason, loaded_through, hashed)
    return RebuildPlan("incremental", next_day, f"the days after {last_as_of}", loaded_through, hashed)


def write_plan(con: duckdb.DuckDBPyConnection, plan: RebuildPlan) -> None:
    """The plan the models read while dbt runs (none for a full build: every day)."""
    con.execute(REBUILD_DDL)
    con.execute("delete from raw.rebuild_plan")
    if plan.mode == "incremental":
        con.execute(
            "insert into raw.rebuild_plan values (?, ?, current_timestamp)", [plan.rebuild_from, plan.reason]
        )


def clear_plan(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(REBUILD_DDL)
    con.execute("delete from raw.rebuild_plan")


def record_build(con: duckdb.DuckDBPyConnection, plan: RebuildPlan) -> None:
    """After a successful build: what it saw, so the next one knows what is new."""
    con.execute(REBUILD_DDL)
    as_of = con.execute(
        "select max(as_of_date) from intermediate.int_account_days"
        if con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'intermediate' and table_name = 'int_account_days'"
        ).fetchone()[0]
        else "select null::date"
    ).fetchone()[0]
    con.execute(
        "insert into raw.model_builds values (current_timestamp, ?, ?, ?, ?, ?, ?)",
        [plan.mode, plan.rebuild_from, plan.loaded_through, plan.project_hash, as_of, plan.reason],
    )
