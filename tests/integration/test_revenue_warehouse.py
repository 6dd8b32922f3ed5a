"""Revenue marts on the generated warehouse, against the generator's ground truth (ground_truth.csv)."""

from __future__ import annotations

import duckdb

from tests.support.commands import BuiltWarehouse
from tests.support.ground_truth import logo_churn_against_ground_truth


def test_logo_churn_by_month_matches_the_ground_truth(built_warehouse: BuiltWarehouse) -> None:
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    try:
        differing, months, churned = logo_churn_against_ground_truth(con, built_warehouse.landing)
    finally:
        con.close()
    assert differing == []
    assert months >= 6 and churned > 0  # the sample has cancellations, so the comparison is not vacuous


def test_renewals_and_forecast_on_the_built_warehouse(built_warehouse: BuiltWarehouse) -> None:
    """Renewals are the next four quarters' contract terms; the forecast covers them and shows calibration."""
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    try:
        as_of, first, last, count = con.execute(
            "select max(as_of_date), min(renewal_date), max(renewal_date), count(*) from marts.fct_renewals"
        ).fetchone()
        paying = con.execute(
            "select count(*) from marts.dim_accounts where status = 'Paying' and renewal_date > "
            "(select max(as_of_date) from marts.fct_renewals) and renewal_date < "
            "date_trunc('quarter', (select max(as_of_date) from marts.fct_renewals)) + interval 12 month"
        ).fetchone()[0]
        forecast = con.execute(
            "select count(*) filter (where is_forecast), count(forecast_error), "
            "sum(renewals) filter (where quarter_start > date_trunc('quarter', as_of_date)) "
            "from marts.fct_renewal_forecast"
        ).fetchone()
        ahead = con.execute(
            "select count(*) from marts.fct_renewals "
            "where renewal_quarter > date_trunc('quarter', as_of_date)"
        ).fetchone()[0]
    finally:
        con.close()
    assert count > 0 and first > as_of
    # the billing export's contract terms are the CRM's renewal dates: the same contracts renew
    assert count == paying
    assert forecast[0] == 4 and forecast[1] > 0 and forecast[2] == ahead
    assert (built_warehouse.site / "pdf" / "renewals.pdf").stat().st_size > 10_000
