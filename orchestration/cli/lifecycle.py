"""`pulse lifecycle ...`: validate the lifecycle configuration (seeds lifecycle_statuses / _criteria)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def lifecycle() -> None:
    """Lifecycle status (onboarding, core lifecycle, renewal window): validate its configuration."""


@lifecycle.command()
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with lifecycle_statuses.csv / lifecycle_criteria.csv (default: the project's seeds/).",
)
def validate(seeds_dir: Path | None) -> None:
    """Check the lifecycle configuration; exit 1 listing file:row: problem for each error."""
    from orchestration.lifecycle.config import LifecycleConfigError, validate_lifecycle_config
    from orchestration.settings import seeds_dir as default_seeds_dir

    try:
        validate_lifecycle_config(seeds_dir or default_seeds_dir())
    except LifecycleConfigError as error:
        raise click.ClickException(str(error)) from error
    click.echo("lifecycle configuration OK")
