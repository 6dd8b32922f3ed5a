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
def backtest(warehouse: Path | None, candidate_dir: Path | None) -> None:
    """Share of cancelled accounts ranked Poor 30/60/90 days before, precision/recall of Poor, lead time."""
    from orchestration.health.backtest import run_backtest, run_candidate_backtest
    from orchestration.health.config import HealthConfigError
    from orchestration.settings import warehouse_path
    from orchestration.warehouse_lock import reading

    with reading(warehouse or warehouse_path()) as target:
        if candidate_dir is None:
            click.echo(run_backtest(target).markdown())
            return
        try:
            result = run_candidate_backtest(target, candidate_dir)
        except HealthConfigError as error:
            raise click.ClickException(str(error)) from error
    click.echo(result.markdown())
