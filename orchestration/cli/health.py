"""`pulse health ...`: validate the health configuration, preview a candidate, backtest the ranks."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def health() -> None:
    """Health profiles: validate, preview a candidate configuration, backtest against cancellations."""


@health.command()
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with health_profiles.csv / health_criteria.csv (default: the project's seeds/).",
)
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also check the CRM parent hierarchy in this warehouse (default: $PULSE_WAREHOUSE if it exists).",
)
def validate(seeds_dir: Path | None, warehouse: Path | None) -> None:
    """Check the health configuration; exit 1 listing file:row: problem for each error."""
    from orchestration.health.config import HealthConfigError, validate_health_config
    from orchestration.settings import seeds_dir as default_seeds_dir
    from orchestration.settings import warehouse_path
    from orchestration.warehouse_lock import reading

    try:
        with reading(warehouse or warehouse_path()) as target:
            validate_health_config(seeds_dir or default_seeds_dir(), target if target.exists() else None)
    except HealthConfigError as error:
        raise click.ClickException(str(error)) from error
    click.echo("health configuration OK")


@health.command()
@click.argument("candidate_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--warehouse", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--days", default=365, show_default=True, help="How many past days to replay.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write Markdown here."
)
def preview(candidate_dir: Path, warehouse: Path | None, days: int, out: Path | None) -> None:
    """Compare CANDIDATE_DIR's health configuration with the current one (Markdown for a pull request)."""
    from orchestration.health.config import HealthConfigError
    from orchestration.health.preview import preview_markdown
    from orchestration.settings import warehouse_path
    from orchestration.warehouse_lock import reading

    try:
        with reading(warehouse or warehouse_path()) as target:
            text = preview_markdown(target, candidate_dir, days=days)
    except HealthConfigError as error:
        raise click.ClickException(str(error)) from error
    if out:
        out.write_text(text, encoding="utf-8")
    click.echo(text)


@health.command()
@click.option("--warehouse", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option(
    "--candidate",
    "candidate_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Backtest this folder's candidate health_profiles.csv / health_criteria.csv (evaluated like "
    "`preview`, no dbt build) instead of the built ranks.",
)
@click.option(
    "--risk-score",
    "risk_top",
    type=float,
    default=None,
    help="Backtest the churn risk score instead: flag the riskiest SHARE of accounts each day "
    "(0.1 = decile 10).",
)
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only account-days from this day."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def backtest(
    warehouse: Path | None, candidate_dir: Path | None, risk_top: float | None, since, as_json: bool
) -> None:
    """Base rate, share flagged, lift, precision and recall at 30/60/90 days, per profile and overall; share
    of cancelled accounts Poor 30/60/90 days before; lead time. Built ranks, a candidate or the risk score."""
    from orchestration.health.backtest import run_backtest, run_candidate_backtest, run_risk_backtest
    from orchestration.health.config import HealthConfigError
    from orchestration.settings import warehouse_path
    from orchestration.warehouse_lock import reading

    day = since.date() if since else None
    with reading(warehouse or warehouse_path()) as target:
        try:
            if risk_top is not None:
                result = run_risk_backtest(target, risk_top, since=day)
            elif candidate_dir is not None:
                result = run_candidate_backtest(target, candidate_dir, since=day)
            else:
                result = run_backtest(target, since=day)
        except (HealthConfigError, ValueError) as error:
            raise click.ClickException(str(error)) from error
    click.echo(result.json() if as_json else result.markdown())


@health.command()
@click.option("--warehouse", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/health-learned"),
    show_default=True,
    help="The candidate folder to write (for `pulse health preview` / `backtest --candidate`).",
)
@click.option(
    "--target-share", default=0.2, show_default=True, help="Most account-days flagged Poor (fit period)."
)
@click.option("--max-rules", default=4, show_default=True, help="At most this many Poor rules.")
@click.option(
    "--min-support", default=0.01, show_default=True, help="Least share of account-days a rule flags."
)
@click.option("--min-accounts", default=5, show_default=True, help="Least cancelling accounts a rule flags.")
@click.option("--horizon", default=90, show_default=True, help="Cancels within this many days.")
@click.option(
    "--lead",
    default=30,
    show_default=True,
    help="A rule earns its place by warnings at least this many days before the cancellation (0: any day).",
)
@click.option(
    "--form",
    type=click.Choice(["scorecard", "rules"]),
    default="scorecard",
    show_default=True,
    help="scorecard: Poor when at least k of n signs (weighted model); rules: Poor when any rule holds.",
)
@click.option("--no-backtest", is_flag=True, help="Skip the validation backtests (no dbt compile).")
def learn(
    warehouse: Path | None,
    out: Path,
    target_share: float,
    max_rules: int,
    min_support: float,
    min_accounts: int,
    horizon: int,
    lead: int,
    form: str,
    no_backtest: bool,
) -> None:
    """Propose a health profile (a k-of-n scorecard or rules) learned from this warehouse's cancellations."""
    from orchestration.health.backtest import run_backtest, run_candidate_backtest
    from orchestration.health.history import load_history
    from orchestration.health.learn import NotEnoughHistory, summary_markdown, write_candidate
    from orchestration.health.learn import learn as learn_rules
    from orchestration.settings import warehouse_path
    from orchestration.warehouse_lock import reading

    with reading(warehouse or warehouse_path()) as target:
        history = load_history(target, horizon=horizon)
    try:
        learned = learn_rules(
            history,
            target_share=target_share,
            max_rules=max_rules,
            min_support=min_support,
            min_accounts=min_accounts,
            lead=lead,
            form=form,
        )
    except NotEnoughHistory as error:
        raise click.ClickException(str(error)) from error
    folder = write_candidate(learned, out)
    click.echo(summary_markdown(learned))
    click.echo(f"Candidate written to {folder} (review: pulse health preview {folder})\n")
    if no_backtest or not learned.rules:
        return
    split = history.split_date
    with reading(warehouse or warehouse_path()) as target:
        current = run_backtest(target, since=split).markdown()
        candidate = run_candidate_backtest(target, folder, since=split).markdown()
    click.echo(f"## Validation backtest (account-days from {split})\n")
    click.echo("### Current configuration\n")
    click.echo(current)
    click.echo("### Learned candidate\n")
    click.echo(candidate)
