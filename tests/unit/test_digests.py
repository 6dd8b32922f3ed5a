"""Daily digests against real SMTP servers started by the tests (aiosmtpd, and a bare socket server that
refuses or hangs up): each digest is delivered at most once, a failure leaves it in the outbox, reported, for
the next run, and every value is escaped in the HTML part. The warehouse is the small marts fixture plus a few
alerts (tests/support/digest_fixtures.py); follows are the shipped seeds/follows.csv."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.digests.compose import digests_for_items
from orchestration.digests.daily import CATCH_UP_DAYS, compose_to_outbox, digest_days
from orchestration.digests.follows import Follow, validate_follows_config
from orchestration.digests.items import Item, items_of_day
from orchestration.digests.outbox import Outbox, digest_id_of, send_outbox
from orchestration.settings import SmtpSettings
from tests.support.digest_fixtures import EXPECTED, build_digest_warehouse
from tests.support.marts_fixtures import AS_OF, SCRIPT_NAME
from tests.support.smtp import DropsAfterFirst, Recorder, Refuser, broken_server, smtp_server

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FOLLOWS = validate_follows_config(PROJECT_ROOT / "seeds")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_digest_warehouse(tmp_path_factory.mktemp("digests") / "warehouse.duckdb")


@pytest.fixture
def warehouse(template: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture warehouse (its outbox is beside it)."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(template, copy)
    return copy


def _compose(warehouse: Path, outbox: Outbox, day: dt.date = AS_OF) -> list[Path]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return compose_to_outbox(con, FOLLOWS, [day], outbox, "Pulse <pulse@localhost>").written
    finally:
        con.close()


def _plain(host: str, port: int) -> SmtpSettings:
    return SmtpSettings(host=host, port=port, starttls=False)


def _pulse_digest(
    warehouse: Path, *args: str, smtp: tuple[str, int] | None = None
) -> subprocess.CompletedProcess:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("PULSE_SMTP_", "PULSE_OUTBOX"))
    }
    env["PULSE_WAREHOUSE"] = str(warehouse)
    if smtp:
        env.update(PULSE_SMTP_HOST=smtp[0], PULSE_SMTP_PORT=str(smtp[1]), PULSE_SMTP_STARTTLS="false")
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "digest", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_digest_run_twice_for_the_same_day_delivers_each_message_once(warehouse: Path) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as server:
        first = _pulse_digest(warehouse, smtp=server)
        second = _pulse_digest(warehouse, smtp=server)
        again = _pulse_digest(warehouse, "--date", AS_OF.isoformat(), smtp=server)
    assert first.returncode == 0, first.stderr
    assert f"days: {AS_OF}" in first.stdout and "sent: 3 digest(s)" in first.stdout
    assert second.returncode == 0 and "sent:" not in second.stdout
    assert again.returncode == 0 and "3 composed before" in again.stdout and "sent:" not in again.stdout
    assert sorted(recipient for rcpts in recorder.recipients for recipient in rcpts) == sorted(EXPECTED)
    assert len(set(recorder.message_ids())) == len(recorder.messages) == 3
    for message in recorder.messages:
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    outbox = Outbox(warehouse.parent / "outbox")
    assert outbox.pending() == [] and len(outbox.sent()) == 3


@pytest.mark.parametrize("failure", ["refuse", "drop", "refuse_message"])
def test_a_failing_server_leaves_the_digests_in_the_outbox_for_the_next_run(
    warehouse: Path, tmp_path: Path, failure: str
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    assert len(_compose(warehouse, outbox)) == 3
    if failure == "refuse_message":
        with smtp_server(Refuser()) as (host, port):
            report = send_outbox(outbox, _plain(host, port))
    else:
        with broken_server(failure) as (host, port):
            report = send_outbox(outbox, _plain(host, port))
    assert not report.ok and report.sent == []
    assert len(report.failed) == 3
    why = {
        "refuse": "SMTPConnectError: 554 5.3.2 No service for you",
        "drop": "SMTPServerDisconnected",
        "refuse_message": "SMTPDataError: 554 5.7.1 Message refused by policy",
    }
    assert all(why[failure] in reason for _name, reason in report.failed), report.failed
    assert len(outbox.pending()) == 3 and outbox.sent() == [] and outbox.interrupted() == []
    assert any("left in the outbox for the next run" in line for line in report.lines(outbox.root))

    recorder = Recorder()
    with smtp_server(recorder) as (host, port):
        assert _compose(warehouse, outbox) == []  # composed before: nothing new is written
        delivered = send_outbox(outbox, _plain(host, port))
        rerun = send_outbox(outbox, _plain(host, port))
    assert delivered.ok and len(delivered.sent) == 3 and rerun.sent == []
    assert len(recorder.messages) == len(set(recorder.message_ids())) == 3
    assert outbox.pending() == [] and len(outbox.sent()) == 3


def test_the_cli_reports_a_failure_and_exits_1(warehouse: Path) -> None:
    with broken_server("drop") as server:
        failed = _pulse_digest(warehouse, smtp=server)
    assert failed.returncode == 1
    assert failed.stdout.count("left in the outbox for the next run") == 3
    assert "not sent" in failed.stderr


def test_an_account_named_script_renders_as_text(warehouse: Path, tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    _compose(warehouse, outbox)
    recorder = Recorder()
    with smtp_server(recorder) as (host, port):
        assert send_outbox(outbox, _plain(host, port)).ok
    (priya,) = [m for m in recorder.messages if "priya.raman@example.com" in m["To"]]
    html = priya.get_body(preferencelist=("html",)).get_content()
    text = priya.get_body(preferencelist=("plain",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "&lt;b&gt;(Poor when &gt; 14)&lt;/b&gt;" in html  # a reason is escaped too
    assert SCRIPT_NAME in text  # the text part is plain text: shown as written


def test_dry_run_prints_and_sends_nothing(warehouse: Path) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as server:
        dry = _pulse_digest(warehouse, "--dry-run", smtp=server)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("(would be sent)") == 3
    assert "Subject: Pulse digest 2026-03-01: 2 changes on 2 accounts" in dry.stdout
    assert recorder.messages == []
    assert not (warehouse.parent / "outbox").exists()


def test_a_day_that_is_not_released_is_refused(warehouse: Path) -> None:
    later = _pulse_digest(warehouse, "--dry-run", "--date", (AS_OF + dt.timedelta(days=1)).isoformat())
    assert later.returncode == 1 and "is not released" in later.stderr


def test_nothing_new_means_no_digest(warehouse: Path, tmp_path: Path) -> None:
    # The shared fixture's tasks open on these days too; tasks have their own test below.
    con = duckdb.connect(str(warehouse))
    con.execute("drop table marts.fct_tasks")
    con.close()
    outbox = Outbox(tmp_path / "outbox")
    assert _compose(warehouse, outbox, AS_OF - dt.timedelta(days=2)) == []
    # The day before has one list exit, of a list nobody follows, on an account without a success manager.
    assert _compose(warehouse, outbox, AS_OF - dt.timedelta(days=1)) == []
    assert outbox.composed_days() == [AS_OF - dt.timedelta(days=2), AS_OF - dt.timedelta(days=1)]


def _item(item_id: str, **values: object) -> Item:
    base = dict(
        item_id=item_id, item_date=AS_OF, kind="list_entered", account_id="A1", account_name="Acme",
        success_manager="Dana", subject="l", list="l", severity="low", title="t", reason="r",
    )  # fmt: skip
    return Item(**{**base, **values})  # type: ignore[arg-type]


def test_follows_pick_items_once_each() -> None:
    follows = [
        Follow("a@x.io", "A", "account", "A1", "f:2"),
        Follow("a@x.io", "A", "book", "Dana", "f:3"),
        Follow("b@x.io", "B", "list", "risk_red", "f:4"),
        Follow("c@x.io", "C", "alert", "new_paying_customer", "f:5"),
    ]
    items = [
        _item("1"),
        _item("2", kind="list_entered", list="risk_red", account_id="A2", success_manager="Lee"),
        _item("3", kind="new_paying_customer", list=None, account_id="A3", success_manager="Lee"),
    ]
    digests = {digest.follower_email: digest for digest in digests_for_items(follows, AS_OF, items)}
    assert sorted(digests) == ["a@x.io", "b@x.io", "c@x.io"]
    assert [item.item_id for item in digests["a@x.io"].items] == ["1"]
    assert digests["a@x.io"].via["1"] == ["account A1", "book Dana"]
    assert [item.item_id for item in digests["b@x.io"].items] == ["2"]
    assert [item.item_id for item in digests["c@x.io"].items] == ["3"]


def test_days_to_compose(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    assert digest_days(outbox, AS_OF) == [AS_OF]  # first run: the released day only, no history
    outbox.record_composed(AS_OF - dt.timedelta(days=3))
    assert digest_days(outbox, AS_OF) == [AS_OF - dt.timedelta(days=n) for n in (2, 1, 0)]
    outbox.record_composed(AS_OF)
    assert digest_days(outbox, AS_OF) == []
    assert len(digest_days(outbox, AS_OF + dt.timedelta(days=30))) == CATCH_UP_DAYS
    assert digest_days(outbox, AS_OF, requested=AS_OF) == [AS_OF]


def test_tasks_reach_digests_once_fct_tasks_exists(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            """
            create or replace table marts.fct_tasks as
            select * from (values
                ('T1', 'risk_red', 'A000001', 'Priya Raman', 'high', 'open', ?::date, ?::date + 5, null),
                ('T2', 'engagement_dropped', 'A000003', 'Jordan Lee', 'medium', 'open', ?::date - 9,
                 ?::date - 1, null),
                ('T3', 'engagement_dropped', 'A000003', 'Jordan Lee', 'low', 'closed', ?::date - 9,
                 ?::date - 1, ?::date - 2)
            ) as t(task_id, list, account_id, assignee, priority, status, opened_on, due_on, closed_on)
            """,
            [AS_OF] * 7,
        )
        items = [item for item in items_of_day(con, AS_OF) if item.kind.startswith("task_")]
    finally:
        con.close()
    assert sorted((item.kind, item.subject) for item in items) == [
        ("task_opened", "T1"),
        ("task_overdue", "T2"),
    ]
    digests = {d.follower_email: d for d in digests_for_items(FOLLOWS, AS_OF, items)}
    assert [item.title for item in digests["priya.raman@example.com"].items] == ["New task: risk_red"]
    assert [item.title for item in digests["jordan.lee@example.com"].items] == [
        "Overdue task: engagement_dropped"
    ]


def test_a_connection_lost_mid_batch_keeps_what_was_accepted_and_retries_the_rest(
    warehouse: Path, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    _compose(warehouse, outbox)
    flaky = DropsAfterFirst()
    with smtp_server(flaky) as (host, port):
        report = send_outbox(outbox, _plain(host, port))
    assert len(report.sent) == 1 and len(report.failed) == 2
    assert len(outbox.sent()) == 1 and len(outbox.pending()) == 2
    recorder = Recorder()
    with smtp_server(recorder) as (host, port):
        assert len(send_outbox(outbox, _plain(host, port)).sent) == 2
    delivered = flaky.message_ids() + recorder.message_ids()
    assert len(delivered) == len(set(delivered)) == 3


def test_smtp_settings_never_show_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration import settings

    monkeypatch.delenv("PULSE_SMTP_HOST", raising=False)
    assert settings.smtp() is None
    monkeypatch.setenv("PULSE_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("PULSE_SMTP_USER", "pulse")
    monkeypatch.setenv("PULSE_SMTP_PASSWORD", "s3cret-value")
    monkeypatch.delenv("PULSE_SMTP_PORT", raising=False)
    monkeypatch.delenv("PULSE_SMTP_STARTTLS", raising=False)
    smtp = settings.smtp()
    assert smtp is not None and (smtp.port, smtp.starttls, smtp.password) == (587, True, "s3cret-value")
    assert "s3cret" not in repr(smtp) and "s3cret" not in smtp.describe()
    monkeypatch.setenv("PULSE_SMTP_STARTTLS", "maybe")
    with pytest.raises(ValueError, match="PULSE_SMTP_STARTTLS is 'maybe'; allowed: true, false"):
        settings.smtp()


def test_credentials_are_not_sent_in_clear(warehouse: Path, tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    _compose(warehouse, outbox)
    report = send_outbox(outbox, SmtpSettings("mail.example.com", 25, starttls=False, user="u", password="p"))
    assert len(report.failed) == 3 and "STARTTLS is off" in report.failed[0][1]
    assert len(outbox.pending()) == 3


def test_a_digest_is_never_a_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.digests import compose
    from orchestration.digests.render import render_parts

    items = [_item(str(n), account_id=f"A{n}", subject=f"l{n}") for n in range(compose.MAX_ITEMS + 5)]
    (digest,) = digests_for_items([Follow("a@x.io", "A", "book", "Dana", "f:2")], AS_OF, items)
    text, html = render_parts(digest)
    assert len(digest.shown) == compose.MAX_ITEMS and digest.more == 5
    assert text.count("  - t (low)") == compose.MAX_ITEMS and "And 5 more: see Pulse." in text
    assert "And 5 more: see Pulse." in html


def test_a_message_caught_mid_send_by_a_crash_is_reported_not_sent_again(
    warehouse: Path, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    first, *_rest = _compose(warehouse, outbox)
    assert outbox.claim(first) is not None  # as if the process died while the server had it
    recorder = Recorder()
    with smtp_server(recorder) as (host, port):
        report = send_outbox(outbox, _plain(host, port))
    assert len(report.sent) == 2 and report.interrupted == [first.name] and not report.ok
    assert len(recorder.messages) == 2
    assert digest_id_of(first) not in [message["X-Pulse-Digest"] for message in recorder.messages]
    assert any("maybe delivered, not sent again" in line for line in report.lines(outbox.root))
    assert _compose(warehouse, outbox) == []  # and it is not composed again either
