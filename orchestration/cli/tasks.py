"""`pulse tasks ...`: validate the playbook configuration (seed playbooks: list entries that create tasks)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def tasks() -> None:
    """Tasks from playbooks: validate their configuration."""


@tasks.command()
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with playbooks.csv and lists.csv (default: the project's seeds/).",
)
def validate(seeds_dir: Path | None) -> None:
    """Check the playbook configuration; exit 1 listing file:row: problem for each error."""
    from orchestration.settings import seeds_dir as default_seeds_dir
    from orchestration.tasks.config import PlaybooksConfigError, validate_playbooks_config

    try:
        validate_playbooks_config(seeds_dir or default_seeds_dir())
    except PlaybooksConfigError as error:
        raise click.ClickException(str(error)) from error
    click.echo("playbook configuration OK")
