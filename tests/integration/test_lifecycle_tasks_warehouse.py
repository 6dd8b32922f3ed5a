"""Lifecycle status and tasks on the session's built warehouse (read only): one status per account and day,
shares that add up, tasks with an assignee and never two open for the same cause."""

from __future__ import annotations

import duckdb
import pytest

from tests.support.commands import BuiltWarehouse
from tests.support.health_invariants import lifecycle_status_gaps


@pytest.fixture(scope="module")
def con(built_warehouse: BuiltWarehouse):
    connection = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    yield connection
    connection.close()


def test_lifecycle_status_exists_for_every_account_and_day(con: duckdb.DuckDBPyConnection) -> None:
    missing, extra, statuses = lifecycle_status_gaps(con)
    assert (missing, extra) == (0, 0)
    assert statuses >= 5  # onboarding, core, renewal and cancelled statuses occur on the sample
    bad_days = con.execute(
        """
        select as_of_date from marts.fct_lifecycle_status_share_daily
        group by as_of_date having abs(sum(share) - 1) > 1e-9 or max(total_accounts) <> sum(accounts)
        """
    ).fetchall()
    assert bad_days == []


def test_every_task_has_an_assignee_and_one_open_task_per_cause(con: duckdb.DuckDBPyConnection) -> None:
    tasks, unassigned, lists = con.execute(
        "select count(*), count(*) filter (where assignee = 'Unassigned'), count(distinct list)"
        " from marts.fct_tasks"
    ).fetchone()
    assert tasks > 0 and unassigned == 0 and lists >= 3
    overlapping = con.execute(
        """
        select a.task_id, b.task_id
        from marts.fct_tasks as a
        inner join marts.fct_tasks as b
            on a.list = b.list and a.account_id = b.account_id and a.opened_on < b.opened_on
        where a.closed_on is null or a.closed_on > b.opened_on
        """
    ).fetchall()
    assert overlapping == []
    # Every task opened on a day its account entered the list (replayed from fct_list_events).
    orphans = con.execute(
        """
        select task_id from marts.fct_tasks as t
        where not exists (
            select 1 from marts.fct_list_events as e
            where e.list = t.list and e.account_id = t.account_id and e.event = 'entered'
              and e.event_date = t.opened_on
        )
        """
    ).fetchall()
    assert orphans == []
