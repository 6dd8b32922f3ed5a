"""Smart lists and Insights tags on the session's built warehouse (read only): every shipped list has members,
events follow the daily membership, sticky tags stay, dim_accounts carries today's tags."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from tests.support.commands import BuiltWarehouse

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _lists() -> list[dict[str, str]]:
    with (SEEDS / "lists.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def con(built_warehouse: BuiltWarehouse):
    connection = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    yield connection
    connection.close()


def test_every_shipped_list_has_members_on_some_day(con: duckdb.DuckDBPyConnection) -> None:
    members = dict(
        con.execute(
            "select list, count(distinct account_id) from marts.fct_list_membership_daily group by list"
        ).fetchall()
    )
    empty = [row["list"] for row in _lists() if not members.get(row["list"])]
    assert not empty, f"lists without members on any day: {empty}"
    listed = {name for (name,) in con.execute("select list from marts.dim_lists").fetchall()}
    assert listed == {row["list"] for row in _lists()}


def test_events_follow_the_daily_membership(con: duckdb.DuckDBPyConnection) -> None:
    """Recomputed independently: entered = member and not the day before; left = not member, member the day
    before (up to the as-of date)."""
    expected = con.execute(
        """
        with m as (select list, account_id, as_of_date from marts.fct_list_membership_daily),
        as_of as (select max(as_of_date) as d from marts.fct_account_health_daily)
        select list, account_id, 'entered', as_of_date from m
        where not exists (
            select 1 from m as p
            where p.list = m.list and p.account_id = m.account_id and p.as_of_date = m.as_of_date - 1
        )
        union all
        select list, account_id, 'left', as_of_date + 1 from m, as_of
        where m.as_of_date < as_of.d and not exists (
            select 1 from m as n
            where n.list = m.list and n.account_id = m.account_id and n.as_of_date = m.as_of_date + 1
        )
        except
        select list, account_id, event, event_date from marts.fct_list_events
        """
    ).fetchall()
    assert expected == []
    counts = con.execute(
        "select count(*), count(*) filter (where reason is null or reason = '') from marts.fct_list_events"
    ).fetchone()
    assert counts[0] > 0 and counts[1] == 0


def test_sticky_tags_stay_and_dim_accounts_has_todays_tags(con: duckdb.DuckDBPyConnection) -> None:
    sticky = [(row["list"], row["tag"]) for row in _lists() if row["tag_mode"] == "sticky"]
    assert sticky
    for list_name, tag in sticky:
        missing = con.execute(
            """
            with first_day as (
                select account_id, min(as_of_date) as first_date from marts.fct_list_membership_daily
                where list = ? group by account_id
            )
            select count(*) from first_day
            join marts.fct_account_health_daily as days
                on days.account_id = first_day.account_id and days.as_of_date >= first_day.first_date
            left join marts.fct_account_tags_daily as tags
                on tags.account_id = days.account_id and tags.as_of_date = days.as_of_date and tags.tag = ?
            where tags.tag is null
            """,
            [list_name, tag],
        ).fetchone()[0]
        assert missing == 0, f"sticky tag {tag} missing on {missing} account-days after entering {list_name}"
    rows = con.execute(
        """
        select accounts.account_id, accounts.insights_tags,
            (select string_agg(tag, ';' order by tag) from marts.fct_account_tags_daily as tags
             where tags.account_id = accounts.account_id
               and tags.as_of_date = (select max(as_of_date) from marts.fct_account_health_daily))
        from marts.dim_accounts as accounts
        """
    ).fetchall()
    assert [row for row in rows if row[1] != row[2]] == []
    assert any(row[1] and ";" in row[1] for row in rows)
