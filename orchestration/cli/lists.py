"""`pulse lists ...`: validate the smart list configuration (seeds lists / list_criteria), preview a
candidate."""

from __future__ import annotations

from pathlib import Path

import click

from orchestration.cli.config_check import validate_command


@click.group()
def lists() -> None:
    """Smart lists and Insights tags: validate their configuration, preview a candidate."""


lists.add_command(
    validate_command(
        "list", "lists.csv / list_criteria.csv", "orchestration.lists.config:validate_lists_config"
    )
)


@lists.command()
@click.argument("candidate_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--warehouse", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--days", default=365, show_default=True, help="How many past days to replay.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write Markdown here."
)
def preview(candidate_dir: Path, warehouse: Path | None, days: int, out: Path | None) -> None:
    """Compare CANDIDATE_DIR's lists.csv / list_criteria.csv with the lists built in the warehouse (Markdown
    for a pull request): members today, who would enter or leave today, the past year replayed."""
    from orchestration.lists.config import ListsConfigError
    from orchestration.lists.preview import preview_markdown
    from orchestration.settings import warehouse_path

    try:
        text = preview_markdown(warehouse or warehouse_path(), candidate_dir, days=days)
    except (ListsConfigError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    if out:
        out.write_text(text, encoding="utf-8")
    click.echo(text)
