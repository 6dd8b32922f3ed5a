"""`pulse lists ...`: validate the smart list configuration (seeds lists / list_criteria)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def lists() -> None:
    """Smart lists and Insights tags: validate their configuration."""


@lists.command()
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with lists.csv / list_criteria.csv (default: the project's seeds/).",
)
def validate(seeds_dir: Path | None) -> None:
    """Check the list configuration; exit 1 listing file:row: problem for each error."""
    from orchestration.lists.config import ListsConfigError, validate_lists_config
    from orchestration.settings import seeds_dir as default_seeds_dir

    try:
        validate_lists_config(seeds_dir or default_seeds_dir())
    except ListsConfigError as error:
        raise click.ClickException(str(error)) from error
    click.echo("list configuration OK")
