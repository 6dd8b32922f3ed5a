"""`pulse digest [--dry-run] [--date D]`: compose the daily digests into the outbox and send it.

The same steps as the Dagster assets actions/digests and actions/send_digests: the newest released day (the
brake: a held day is never digested), or --date D (a released day), one digest per follower with something
new, written to the outbox and sent when an SMTP server is configured. --dry-run prints what would be sent
and writes and sends nothing.
"""

from __future__ import annotations

from datetime import date

import click


def _print_dry_run(report: object, pending: list, smtp: object) -> None:
    from orchestration.digests.render import render_parts, subject

    for digest in report.digests:  # type: ignore[attr-defined]
        state = "composed before, not sent again" if digest.digest_id in report.already else "would be sent"  # type: ignore[attr-defined]
        click.echo(f"--- {digest.day} to {digest.follower_name} <{digest.follower_email}> ({state})")
        click.echo(f"Subject: {subject(digest)}")
        text, _html = render_parts(digest)
        click.echo(text)
    if pending:
        where = f"over {smtp.describe()}" if smtp else "nowhere (no SMTP server configured)"  # type: ignore[attr-defined]
        click.echo(f"also waiting in the outbox, would be sent {where}: {len(pending)}")
        for path in pending:
            click.echo(f"  {path.name}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Print the digests that would be sent; write and send nothing.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Compose the digests of this day (YYYY-MM-DD; a released day). Default: the newest released day.",
)
def digest(dry_run: bool, day: object) -> None:
    """Compose each follower's digest of what changed (seeds/follows.csv, marts.fct_alerts) and send it."""
    from orchestration import settings
    from orchestration.digests.daily import compose_to_outbox, digest_days
    from orchestration.digests.follows import FollowsConfigError, validate_follows_config
    from orchestration.digests.outbox import Outbox, send_outbox
    from orchestration.release import held_days, released_as_of
    from orchestration.warehouse import connect

    try:
        follows = validate_follows_config(settings.seeds_dir())
        smtp = settings.smtp()
    except (FollowsConfigError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    requested: date | None = day.date() if day else None  # type: ignore[attr-defined]
    outbox = Outbox(settings.outbox_dir())
    con = connect(read_only=True)
    try:
        released = released_as_of(con)
        held = dict(held_days(con))
        if released is None:
            raise click.ClickException("no day is released yet: run `pulse run` first")
        if requested is not None and (requested > released or requested in held):
            why = f"held: {held[requested]}" if requested in held else f"the newest released is {released}"
            raise click.ClickException(f"{requested} is not released ({why}); `pulse confirm` releases it")
        days = digest_days(outbox, released, requested)
        report = compose_to_outbox(con, follows, days, outbox, settings.digest_sender(), dry_run=dry_run)
    finally:
        con.close()
    for line in report.lines():
        click.echo(line)
    if dry_run:
        _print_dry_run(report, outbox.pending(), smtp)
        return
    sent = send_outbox(outbox, smtp)
    for line in sent.lines(outbox.root):
        click.echo(line)
    if not sent.ok:
        raise click.ClickException("some digests were not sent (see above); they wait in the outbox")
