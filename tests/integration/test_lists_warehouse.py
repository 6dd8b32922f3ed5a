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


def test_user_and_health_metric_models_have_the_catalog_columns(con: duckdb.DuckDBPyConnection) -> None:
    """The user and health metric catalogs are declared once: the built models have exactly their columns."""
    from orchestration.metrics.catalog import CATALOGS, load_catalog

    for catalog, (_file, model, keys) in CATALOGS.items():
        if catalog == "account":
            continue
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'intermediate' and table_name = ? order by ordinal_position",
                [model],
            ).fetchall()
        ]
        assert columns == [*keys, *load_catalog(catalog=catalog)], model


def test_user_lists_roll_up_their_users(con: duckdb.DuckDBPyConnection) -> None:
    """An account is in a user list on exactly the days one of its users satisfies the list's user criteria
    and its account criteria hold; the reason counts the users."""
    user_lists = [
        name
        for (name,) in con.execute(
            "select distinct list from intermediate.int_list_criteria where grain = 'user'"
        ).fetchall()
    ]
    assert {"champions", "power_users", "users_need_training", "champion_inactive_30_days"} <= set(user_lists)
    mismatched = con.execute(
        """
        with users as (
            select list, account_id, as_of_date, count(*) as users
            from intermediate.int_list_user_members_daily group by all
        ),
        account_ok as (
            select list, account_id, as_of_date
            from intermediate.int_list_criteria_results
            where criterion_id not like '%:users'
            group by all
            having bool_and(coalesce(holds, false))
        ),
        expected as (
            select users.list, users.account_id, users.as_of_date, users.users
            from users
            join account_ok using (list, account_id, as_of_date)
        )
        select count(*) from (
            select list, account_id, as_of_date from expected
            except
            select list, account_id, as_of_date from marts.fct_list_membership_daily
        )
        union all
        select count(*) from marts.fct_list_membership_daily as m
        join expected as e using (list, account_id, as_of_date)
        where not starts_with(m.reason, e.users || (case when e.users = 1 then ' user: ' else ' users: ' end))
        """
    ).fetchall()
    assert mismatched == [(0,), (0,)]


def test_lists_preview_builds_a_candidate_in_a_private_copy(
    built_warehouse: BuiltWarehouse, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """`pulse lists preview`: a candidate with a new list (Paying accounts) shows today's members of it, as
    the health mart counts them, leaves the other lists unchanged, and never writes the warehouse."""
    from orchestration.lists.preview import preview_markdown

    candidate = tmp_path / "candidate"
    candidate.mkdir()
    (candidate / "lists.csv").write_text(
        (SEEDS / "lists.csv").read_text(encoding="utf-8")
        + "paying_now,Tests,success_manager,low,,none,,Paying today.\n",
        encoding="utf-8",
    )
    (candidate / "list_criteria.csv").write_text(
        (SEEDS / "list_criteria.csv").read_text(encoding="utf-8")
        + "paying_now,paying_now_status,status,=,Paying,Status {value}\n",
        encoding="utf-8",
    )
    before = built_warehouse.warehouse.stat()
    text = preview_markdown(built_warehouse.warehouse, candidate)
    after = built_warehouse.warehouse.stat()
    assert (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size)
    paying = con.execute(
        """
        select count(*) from marts.fct_account_health_daily
        where status = 'Paying' and as_of_date = (select max(as_of_date) from marts.fct_account_health_daily)
        """
    ).fetchone()[0]
    assert paying > 0
    assert "New lists: paying_now." in text
    assert f"| paying_now | 0 | {paying} | +{paying} |" in text
    assert f"## Would enter today ({paying})" in text
    assert "## Would leave today (0, removed lists aside)" in text
    assert f"1 of {len(_lists()) + 1} lists change over the period." in text


def test_lists_preview_rejects_a_bad_candidate_before_building(tmp_path: Path) -> None:
    from orchestration.lists.config import ListsConfigError
    from orchestration.lists.preview import preview_markdown

    (tmp_path / "list_criteria.csv").write_text(
        "list,criterion_id,metric,operator,threshold,reason_label\n"
        "champions,c1,user_active_dayz_30d,>=,8,x\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ListsConfigError, match=r"list_criteria.csv:2: metric 'user_active_dayz_30d' is unknown"
    ):
        preview_markdown(tmp_path / "no-warehouse.duckdb", tmp_path)
