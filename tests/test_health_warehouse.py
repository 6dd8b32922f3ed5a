"""The health engine on a built warehouse: grain, ranks, reasons, metrics list, preview and backtest.

The warehouse is conftest's `built_warehouse`: 60 generated accounts over 200 days, run through the whole
Dagster graph (dbt unit tests and data tests included). Set PULSE_HEALTH_TEST_WAREHOUSE (and
PULSE_HEALTH_TEST_LANDING for the ground truth) to use an existing one.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import BuiltWarehouse

from orchestration.health.backtest import run_backtest
from orchestration.health.metrics import METRICS
from orchestration.health.preview import preview_markdown

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class HealthWarehouse:
    warehouse: Path
    landing: Path


@pytest.fixture(scope="module")
def health_warehouse(built_warehouse: BuiltWarehouse) -> HealthWarehouse:
    """The whole graph built once through Dagster (`pulse run`), or an existing one from the environment."""
    if os.environ.get("PULSE_HEALTH_TEST_WAREHOUSE"):
        return HealthWarehouse(
            Path(os.environ["PULSE_HEALTH_TEST_WAREHOUSE"]),
            Path(os.environ.get("PULSE_HEALTH_TEST_LANDING", "")),
        )
    return HealthWarehouse(built_warehouse.warehouse, built_warehouse.landing)


@pytest.fixture(scope="module")
def con(health_warehouse: HealthWarehouse):
    connection = duckdb.connect(str(health_warehouse.warehouse), read_only=True)
    yield connection
    connection.close()


def test_one_row_per_account_per_day_since_creation(con: duckdb.DuckDBPyConnection) -> None:
    as_of = con.execute("select max(event_at)::date from raw.app_events").fetchone()[0]
    bad = con.execute(
        """
        select a.account_id, a.created_date, count(h.as_of_date), count(distinct h.as_of_date)
        from marts.dim_accounts as a
        left join marts.fct_account_health_daily as h using (account_id)
        group by all
        having count(h.as_of_date) <> datediff('day', a.created_date, ?) + 1
            or count(distinct h.as_of_date) <> count(h.as_of_date)
            or min(h.as_of_date) <> a.created_date or max(h.as_of_date) <> ?
        """,
        [as_of, as_of],
    ).fetchall()
    assert bad == []
    assert con.execute("select count(*) from marts.dim_accounts").fetchone()[0] >= 60


def test_ranks_and_reasons(con: duckdb.DuckDBPyConnection) -> None:
    ranks = {
        row[0]
        for row in con.execute("select distinct health_rank from marts.fct_account_health_daily").fetchall()
    }
    assert ranks <= {"Good", "Average", "Poor", "Unknown"}
    assert {"Good", "Poor"} <= ranks
    missing = con.execute(
        """
        select count(*) from marts.fct_account_health_daily
        where health_rank in ('Average', 'Poor') and coalesce(trim(reason), '') = ''
        """
    ).fetchone()[0]
    assert missing == 0
    # Every Poor rank of a profile (not a parent roll-up) has a fired Poor criterion in the reasons mart.
    unexplained = con.execute(
        """
        select count(*) from marts.fct_account_health_daily as h
        where h.health_rank = 'Poor' and not h.is_parent_rollup and h.profile <> 'digital_onboarding'
          and not exists (
            select 1 from marts.fct_account_health_reasons_daily as r
            where r.account_id = h.account_id and r.as_of_date = h.as_of_date and r.outcome = 'Poor'
          )
        """
    ).fetchone()[0]
    assert unexplained == 0


def test_metric_list_matches_the_built_model(con: duckdb.DuckDBPyConnection) -> None:
    columns = [
        row[0]
        for row in con.execute(
            """
            select column_name from information_schema.columns
            where table_schema = 'intermediate' and table_name = 'int_account_metrics_daily'
            order by ordinal_position
            """
        ).fetchall()
    ]
    assert columns[:2] == ["account_id", "as_of_date"]
    assert columns[2:] == list(METRICS)
    unpivoted = {
        row[0]
        for row in con.execute("select distinct metric from intermediate.int_account_metrics_long").fetchall()
    }
    assert unpivoted == set(METRICS)


def test_population_health_score_extremes(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        select population_health_score, good_accounts, average_accounts, poor_accounts
        from marts.fct_population_health_daily where segment_type = 'overall'
        """
    ).fetchall()
    for score, good, average, poor in rows:
        if good and not average and not poor:
            assert score == 100
        if poor and not average and not good:
            assert score == 0


def test_backtest_reports_and_churned_accounts_are_flagged_poor(health_warehouse: HealthWarehouse) -> None:
    result = run_backtest(health_warehouse.warehouse)
    text = result.markdown()
    for needle in ("precision", "recall", "median lead time", "| 30 |", "| 60 |", "| 90 |"):
        assert needle in text
    assert result.cancelled_accounts > 0
    assert result.recall is not None and result.precision is not None
    truth = health_warehouse.landing / "ground_truth.csv"
    assert truth.exists(), "ground_truth.csv from `pulse generate` is needed to check churned archetypes"
    with truth.open() as handle:
        churned = {row["account_id"] for row in csv.DictReader(handle) if row["churn_date"]}
    flagged = {account for account, lead in result.leads.items() if lead > 0}
    # Churned accounts are Poor on the eve of cancellation, with warning time to act.
    assert len(flagged & churned) >= 0.7 * len(churned), (flagged, churned)
    assert result.median_lead_days is not None and result.median_lead_days >= 14
    assert result.poor_share_before[30] is not None and result.poor_share_before[30] >= 0.5


def test_preview_of_a_candidate(health_warehouse: HealthWarehouse, tmp_path: Path) -> None:
    seeds = PROJECT_ROOT / "seeds"
    (tmp_path / "health_profiles.csv").write_text((seeds / "health_profiles.csv").read_text())
    criteria = (seeds / "health_criteria.csv").read_text()
    stricter = criteria.replace(
        "default_inactive_poor,Poor,days_since_last_activity,>,14",
        "default_inactive_poor,Poor,days_since_last_activity,>,3",
    )
    assert stricter != criteria
    (tmp_path / "health_criteria.csv").write_text(stricter)
    text = preview_markdown(health_warehouse.warehouse, tmp_path)
    for heading in (
        "## Rank distribution today",
        "## Accounts that would move today",
        "days replayed",
        "Either way",
    ):
        assert heading in text
    # A stricter Poor criterion can only lower ranks, and on this data it does.
    moved = re.search(r"Either way: (\d+) account-days would rank higher, (\d+) lower", text)
    assert moved is not None
    assert int(moved.group(1)) == 0 and int(moved.group(2)) > 0
    # The current configuration evaluated through the preview path equals the built marts.
    same = preview_markdown(health_warehouse.warehouse, seeds)
    assert "## Accounts that would move today (0)" in same
    assert "Either way: 0 account-days would rank higher, 0 lower, across 0 accounts." in same
