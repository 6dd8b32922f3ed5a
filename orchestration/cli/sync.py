"""`pulse sync [--dry-run] [--destination NAME]`: send the accounts' Insights tags and health to the CRM."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--dry-run", is_flag=True, help="Print the diff (record, field, old, new); send and store nothing."
)
@click.option(
    "--destination",
    "names",
    multiple=True,
    help="A destination file's name (orchestration/sync/destinations/NAME.yml); repeatable. "
    "Default: the Data Loader file and every destination whose credentials are set.",
)
def sync(dry_run: bool, names: tuple[str, ...]) -> None:
    """Sync marts.crm_account_sync to the CRM: only records whose values changed since the last success."""
    from orchestration.release import released_as_of
    from orchestration.sync import (
        SyncConfigError,
        SyncError,
        credentials_for,
        load_destinations,
        sync_destination,
    )
    from orchestration.warehouse import connect, warehouse_path

    try:
        destinations = load_destinations()
    except SyncConfigError as error:
        raise click.ClickException(str(error)) from error
    if names:
        unknown = [name for name in names if name not in destinations]
        if unknown:
            raise click.ClickException(
                f"unknown destination {', '.join(unknown)}; allowed: {', '.join(destinations)}"
            )
        chosen = [destinations[name] for name in names]
    else:
        chosen = [d for d in destinations.values() if not d.is_remote or credentials_for(d.type).configured]
    if not warehouse_path().exists():
        raise click.ClickException(f"warehouse not found: {warehouse_path()} (run `pulse run` first)")
    con = connect(read_only=dry_run)
    failed: list[str] = []
    try:
        released = released_as_of(con)
        for destination in chosen:
            try:
                summary = sync_destination(
                    con, destination, released_day=released, dry_run=dry_run, log=click.echo
                )
            except SyncError as error:
                click.echo(f"{destination.name}: FAILED: {error}")
                failed.append(destination.name)
                continue
            if dry_run and summary.diff:
                click.echo(f"{destination.name}: would send (record, field: old -> new):")
                for line in summary.diff:
                    click.echo(line)
            for line in summary.lines():
                click.echo(line)
            if summary.status in ("failed", "partial"):
                failed.append(destination.name)
    finally:
        con.close()
    if failed:
        raise click.ClickException(
            f"not everything was synced to {', '.join(failed)} (see above); failed records go again next run"
        )
