"""`pulse ingest`: load new landing files into the raw schema and print a per-source summary."""

from __future__ import annotations

import click


@click.command("ingest")
@click.option(
    "--landing", "landing", default=None, help="Landing root: a path or any fsspec URL ($PULSE_LANDING)."
)
@click.option(
    "--warehouse",
    "warehouse",
    default=None,
    type=click.Path(dir_okay=False),
    help="DuckDB file ($PULSE_WAREHOUSE).",
)
@click.option("--source", "sources", multiple=True, help="Only this landing folder (repeatable).")
@click.option(
    "--mappings",
    "mappings_dir",
    default=None,
    type=click.Path(file_okay=False, exists=True),
    help="Folder of mapping files (default orchestration/mappings).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def ingest(
    landing: str | None,
    warehouse: str | None,
    sources: tuple[str, ...],
    mappings_dir: str | None,
    quiet: bool,
) -> None:
    """Load every new or changed landing file; bad rows go to raw.rejects with a reason."""
    from orchestration.ingest.loader import IngestError
    from orchestration.ingest.loader import ingest as run_ingest
    from orchestration.ingest.mapping import MappingError
    from orchestration.warehouse_lock import WarehouseBusy

    try:
        summary = run_ingest(
            landing, warehouse, sources=sources or None, mappings_dir=mappings_dir, progress=not quiet
        )
    except (MappingError, IngestError, WarehouseBusy) as error:
        raise click.ClickException(str(error)) from error
    click.echo(summary.format())
    if summary.failures:
        raise click.ClickException(f"{len(summary.failures)} file(s) failed and were rolled back; see above")
