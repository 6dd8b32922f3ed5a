"""The CRM sync on the session's built warehouse: the payload mart, the daily run's Data Loader sync (an
acting asset after the release), the Sync page, and which destinations the daily graph runs."""

from __future__ import annotations

import csv

import duckdb
import pytest

from orchestration import settings
from tests.support.commands import BuiltWarehouse, pulse


def test_payload_mart_has_every_account_with_todays_tags_and_health(built_warehouse: BuiltWarehouse) -> None:
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    try:
        differences = con.execute(
            """
            select count(*)
            from marts.dim_accounts as d
            full join marts.crm_account_sync as s on d.account_id = s.account_id
            where s.account_id is null or d.account_id is null
                or s.crm_account_id is distinct from d.crm_account_id
                or s.insights_tags is distinct from d.insights_tags
                or s.health_rank is distinct from d.health_rank
                or s.health_changed_on is distinct from d.health_rank_since
            """
        ).fetchone()[0]
        tagged, as_of, released = con.execute(
            """
            select count(*) filter (where insights_tags is not null), max(as_of_date),
                (select max(as_of_date) from raw.release_events where event in ('released', 'confirmed'))
            from marts.crm_account_sync
            """
        ).fetchone()
    finally:
        con.close()
    assert differences == 0
    assert tagged > 0 and as_of == released


def test_payload_carries_the_churn_risk_of_its_day(built_warehouse: BuiltWarehouse) -> None:
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    try:
        scored, mismatched = con.execute(
            """
            select count(r.account_id),
                count(*) filter (where s.churn_risk is distinct from round(r.churn_probability, 3)
                    or s.churn_risk_decile is distinct from r.risk_decile)
            from marts.crm_account_sync as s
            join marts.dim_accounts as d using (account_id)
            left join marts.fct_account_churn_risk_daily as r
                on s.account_id = r.account_id and d.health_as_of_date = r.as_of_date
            """
        ).fetchone()
    finally:
        con.close()
    # Unscored accounts (the score needs 20 cancellations; the small warehouse may have fewer) stay null.
    assert mismatched == 0, f"{mismatched} payload rows differ from the score (of {scored} scored)"


def test_the_daily_run_wrote_the_data_loader_file_and_the_sync_page(built_warehouse: BuiltWarehouse) -> None:
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    try:
        runs = con.execute(
            "select status, sent, failed, no_crm_id, target from sync.runs where destination = 'dataloader'"
        ).fetchall()
        with_id = con.execute(
            "select count(*) from marts.crm_account_sync where crm_account_id is not null"
        ).fetchone()[0]
        synced = con.execute(
            "select count(*) from sync.fingerprints where destination = 'dataloader'"
        ).fetchone()
    finally:
        con.close()
    assert len(runs) == 1
    status, sent, failed, _no_id, target = runs[0]
    assert (status, sent, failed) == ("succeeded", with_id, 0) and synced == (with_id,)
    assert target.startswith(str(built_warehouse.root / "sync" / "dataloader"))
    with open(target, newline="") as handle:
        assert len(list(csv.DictReader(handle))) == with_id
    page = (built_warehouse.site / "sync.html").read_text()
    assert "dataloader" in page and "succeeded" in page

    # Nothing changed since: a dry run would send nothing.
    dry = pulse("sync", "--dry-run", env=built_warehouse.env())
    assert f"dataloader: {with_id + _no_id} accounts, 0 changed (dry run: nothing sent)" in dry.stdout


def test_only_destinations_with_credentials_are_in_the_daily_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.defs.sync import sync_assets

    for name in (
        settings.SALESFORCE_URL_ENV,
        settings.SALESFORCE_ACCESS_TOKEN_ENV,
        settings.HUBSPOT_TOKEN_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    keys = {key.to_user_string() for asset in sync_assets() for key in asset.keys}
    assert keys == {"actions/crm_sync_dataloader"}
    monkeypatch.setenv(settings.SALESFORCE_URL_ENV, "http://127.0.0.1:9")
    monkeypatch.setenv(settings.SALESFORCE_ACCESS_TOKEN_ENV, "00Dfake!token-not-real")
    keys = {key.to_user_string() for asset in sync_assets() for key in asset.keys}
    assert keys == {"actions/crm_sync_dataloader", "actions/crm_sync_salesforce"}
