"""Alerts and digests on the session's built warehouse (read only): every rank change between known ranks and
every list event is one alert, ids are a pure function of the alert (a rebuild gives the same ids), and the
daily build (`pulse run`) composed the released day's digests into the outbox beside the warehouse."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import duckdb
import pytest

from orchestration.digests.compose import compose_digests
from orchestration.digests.follows import validate_follows_config
from orchestration.digests.outbox import Outbox
from orchestration.release import released_as_of
from tests.support.commands import BuiltWarehouse

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def con(built_warehouse: BuiltWarehouse):
    connection = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    yield connection
    connection.close()


def test_each_change_is_one_alert_with_a_stable_id(con: duckdb.DuckDBPyConnection) -> None:
    counts = con.execute(
        """
        select
            (select count(*) from marts.fct_account_health_daily
             where rank_changed and health_rank <> 'Unknown' and previous_health_rank <> 'Unknown'),
            (select count(*) from marts.fct_alerts where alert_kind = 'health_rank_changed'),
            (select count(*) from marts.fct_list_events),
            (select count(*) from marts.fct_alerts where alert_kind like 'list_%'),
            (select count(*) from marts.fct_alerts where alert_kind = 'new_paying_customer'),
            (select count(*) from marts.fct_alerts
             where alert_id <> md5(alert_kind || '|' || account_id || '|' || cast(alert_date as varchar)
                                   || '|' || subject)),
            (select count(*) - count(distinct alert_id) from marts.fct_alerts),
            (select count(*) from marts.fct_alerts where alert_kind like 'health%' and reason is null)
        """
    ).fetchone()
    rank_changes, health_alerts, list_events, list_alerts, new_customers, unstable, duplicates, no_reason = (
        counts
    )
    assert health_alerts == rank_changes > 0
    assert list_alerts == list_events > 0
    assert new_customers > 0
    assert unstable == duplicates == no_reason == 0


def test_the_daily_build_composed_the_released_days_digests(
    built_warehouse: BuiltWarehouse, con: duckdb.DuckDBPyConnection
) -> None:
    run_log = (built_warehouse.root / "run.log").read_text()
    for step in ("actions__digests", "actions__send_digests"):
        assert any(line.split()[:2] == [step, "ok"] for line in run_log.splitlines()), run_log[-3000:]
    released = released_as_of(con)
    outbox = Outbox(built_warehouse.warehouse.parent / "outbox")
    assert outbox.composed_days() == [released]
    expected = compose_digests(con, validate_follows_config(SEEDS), released)
    files = outbox.pending()  # no SMTP server in the tests: they wait in the outbox
    assert sorted(path.name for path in files) == sorted(f"{released}-{d.digest_id}.eml" for d in expected)
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
