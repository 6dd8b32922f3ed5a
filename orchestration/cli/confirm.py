"""`pulse confirm DATE`: release a held day, so what acts on people and other systems may use it."""

from __future__ import annotations

from datetime import date

import click


@click.command()
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--note", help="Why the data is right (kept with the confirmation).")
def confirm(day: object, note: str | None) -> None:
    """Confirm the data of a held DAY (YYYY-MM-DD), held because too many accounts changed rank."""
    from orchestration.release import HoldError, confirm_day
    from orchestration.warehouse import connect
    from orchestration.warehouse_lock import WarehouseBusy, exclusive

    held_day: date = day.date()  # type: ignore[attr-defined]
    try:
        with exclusive():
            con = connect()
            try:
                confirm_day(con, held_day, note)
            finally:
                con.close()
    except (HoldError, WarehouseBusy) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{held_day} confirmed: alerts, digests, tasks and the CRM sync may act on it at the next run."
    )
