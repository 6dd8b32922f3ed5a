"""`pulse <area> validate` for the configuration seeds that need no warehouse (lists, lifecycle, playbooks):
one command shape, the area's validator imported only when it runs."""

from __future__ import annotations

import importlib
from pathlib import Path

import click


def validate_command(noun: str, files: str, validator: str) -> click.Command:
    """A `validate` command: `validator` ("module:function") checks a seeds folder and raises a ConfigError
    listing file:row: problem; exit 1 with the list, else print "<noun> configuration OK"."""

    @click.command(name="validate")
    @click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Folder with {files} (default: the project's seeds/).",
    )
    def validate(seeds_dir: Path | None) -> None:
        from orchestration.criteria.seed_rows import ConfigError
        from orchestration.settings import seeds_dir as default_seeds_dir

        module, function = validator.split(":")
        try:
            getattr(importlib.import_module(module), function)(seeds_dir or default_seeds_dir())
        except ConfigError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"{noun} configuration OK")

    validate.help = f"Check the {noun} configuration; exit 1 listing file:row: problem for each error."
    return validate
