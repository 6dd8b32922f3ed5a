"""`pulse generate`: write a realistic, reproducible sample of every landing source."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

DEFAULT_END = "2026-11-01"  # fixed: the same arguments give the same bytes whatever day it is run


def _parse_date(ctx: click.Context, param: click.Parameter, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


@click.command()
@click.option(
    "--accounts",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Number of customer accounts.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=365,
    show_default=True,
    help="Length of the period, ending on --end-date.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed; same seed, same bytes.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/landing"),
    show_default=True,
    help="Landing folder to write app_events/, helpdesk/, crm/, billing/ and ground_truth.csv.",
)
@click.option(
    "--end-date",
    default=DEFAULT_END,
    show_default=True,
    callback=_parse_date,
    help="Last day of the period (YYYY-MM-DD).",
)
@click.option(
    "--gzip", "use_gzip", is_flag=True, help="Write app event files gzip-compressed (.jsonl.gz/.csv.gz)."
)
@click.option(
    "--sdr-share",
    type=click.FloatRange(0.0, 1.0),
    default=0.15,
    show_default=True,
    help="Share of accounts that send Totango-style sdr CSV instead of Segment JSON.",
)
@click.option(
    "--events-per-user-day",
    type=click.FloatRange(min=1.0),
    default=5.0,
    show_default=True,
    help="Mean track events per active user-day; scales volume for benchmarks.",
)
@click.option("--clean", is_flag=True, help="Remove previously generated source folders in --out first.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def generate(
    accounts: int,
    days: int,
    seed: int,
    out: Path,
    end_date: dt.date,
    use_gzip: bool,
    sdr_share: float,
    events_per_user_day: float,
    clean: bool,
    quiet: bool,
) -> None:
    """Generate sample landing files: app events, helpdesk tickets, CRM exports and ground truth.

    About 2 million events for the default 300 accounts over 365 days. For a volume target, scale
    --accounts (about 7,000 events per account-year at the default --events-per-user-day).
    """
    from orchestration.generate.core import GenerateConfig, generate_dataset

    config = GenerateConfig(
        accounts=accounts,
        days=days,
        seed=seed,
        out=out,
        end_date=end_date,
        gzip=use_gzip,
        sdr_share=sdr_share,
        events_per_user_day=events_per_user_day,
        clean=clean,
        progress=not quiet and sys.stderr.isatty(),
    )
    try:
        summary = generate_dataset(config)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if quiet:
        return
    click.echo(
        f"Wrote {summary.events:,} events ({summary.track_events:,} track, {summary.sdr_events:,} sdr, "
        f"{summary.identify_calls:,} identify, {summary.group_calls:,} group) "
        f"for {summary.accounts:,} accounts "
        f"and {summary.users:,} users, {summary.tickets:,} tickets, {summary.files:,} files "
        f"in {summary.seconds:.2f} s ({summary.events_per_second:,.0f} events/s)\n"
        f"Period {summary.start_date} .. {summary.end_date}, {summary.churned_accounts} accounts cancelled. "
        f"Output: {summary.out}"
    )
