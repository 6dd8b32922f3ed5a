"""`pulse revenue`: monthly churn and retention, renewals ahead and the forecast's calibration, as text."""

from __future__ import annotations

from pathlib import Path

import click


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


@click.command()
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $PULSE_WAREHOUSE or var/warehouse.duckdb).",
)
@click.option("--months", type=click.IntRange(min=1), default=12, show_default=True, help="Months shown.")
def revenue(warehouse: Path | None, months: int) -> None:
    """Print logo churn, MRR churn, NRR/GRR per month, the renewals of the next four quarters by risk, and the
    renewal forecast against actuals, from the built marts."""
    from orchestration.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select month_start, accounts_at_start, churned_accounts, logo_churn_rate, mrr_churn_rate, "
            "net_revenue_retention, gross_revenue_retention, new_accounts, paying_accounts, mrr_at_end "
            "from marts.fct_revenue_monthly order by month_start desc limit ?",
            [months],
        ).fetchall()
        risks = con.execute(
            "select renewal_risk, count(*), sum(renewal_value), sum(value_at_risk), min(as_of_date) "
            "from marts.fct_renewals group by renewal_risk "
            "order by case renewal_risk when 'High' then 1 when 'Average' then 2 else 3 end"
        ).fetchall()
        quarters = con.execute(
            "select quarter_start, is_forecast, renewals, naive_renewal_value, expected_renewal_value, "
            "actual_renewed_value, forecast_abs_pct_error, naive_abs_pct_error "
            "from marts.fct_renewal_forecast order by quarter_start"
        ).fetchall()
    finally:
        con.close()
    click.echo("month      start  churned  logo churn  MRR churn     NRR     GRR   new  paying         MRR")
    for month, start, churned, logo, mrr_churn, nrr, grr, new, paying, mrr in reversed(rows):
        click.echo(
            f"{month:%Y-%m}  {start:>6}  {churned:>7}  {_pct(logo, 2):>10}  {_pct(mrr_churn, 2):>9}  "
            f"{_pct(nrr):>6}  {_pct(grr):>6}  {new:>4}  {paying:>6}  {_num(mrr):>10}"
        )
    as_of = risks[0][4] if risks else None
    click.echo(f"\nrenewals in the next four quarters (as of {as_of}):")
    click.echo("risk       renewals        value  value at risk")
    for risk, count, value, at_risk, _ in risks:
        click.echo(f"{risk:<9}  {count:>8}  {_num(value):>11}  {_num(at_risk):>13}")
    click.echo("\nrenewal forecast per quarter (past quarters: calibration against what renewed):")
    click.echo("quarter   renewals    naive  expected   actual  forecast error  naive error")
    for start, is_forecast, count, naive, expected, actual, error, naive_error in quarters:
        label = f"{start.year} Q{(start.month - 1) // 3 + 1}" + ("*" if is_forecast else " ")
        click.echo(
            f"{label:<9} {count:>8}  {_num(naive):>7}  {_num(expected):>8}  {_num(actual):>7}  "
            f"{_pct(error):>14}  {_pct(naive_error):>11}"
        )
    click.echo("* the current quarter and the next three (forecast)")
