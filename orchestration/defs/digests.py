"""Daily digests as Dagster assets, both acting on people and so behind the release brake (`acting_asset`):
`actions/digests` composes each follower's digest of the newest released day into the outbox after the daily
build, `actions/send_digests` sends the outbox over SMTP after it (when a server is configured)."""

from datetime import date

import dagster as dg

from orchestration.defs.release import acting_asset

DIGESTS_KEY = dg.AssetKey(["actions", "digests"])


@acting_asset(
    key_prefix=["actions"],
    deps=[dg.AssetKey(["marts", "fct_alerts"])],
    description=(
        "One digest per follower (seeds/follows.csv) of what changed for them on the newest released day "
        "(marts.fct_alerts), written to the outbox (var/outbox); nothing for a follower with nothing new."
    ),
    kinds={"email"},
)
def digests(context: dg.AssetExecutionContext, released_day: date) -> dg.MaterializeResult:
    from orchestration import settings
    from orchestration.digests.daily import compose_to_outbox, digest_days
    from orchestration.digests.follows import FollowsConfigError, validate_follows_config
    from orchestration.digests.outbox import Outbox
    from orchestration.warehouse import connect

    try:
        follows = validate_follows_config(settings.seeds_dir())
    except FollowsConfigError as error:
        raise dg.Failure(description=str(error)) from error
    outbox = Outbox(settings.outbox_dir())
    con = connect(read_only=True)
    try:
        report = compose_to_outbox(
            con, follows, digest_days(outbox, released_day), outbox, settings.digest_sender()
        )
    finally:
        con.close()
    for line in report.lines():
        context.log.info(line)
    return dg.MaterializeResult(
        metadata={
            "released_day": str(released_day),
            "days": ", ".join(str(day) for day in report.days) or "none",
            "digests": len(report.digests),
            "new_in_outbox": len(report.written),
            "outbox": str(outbox.root),
        }
    )


@acting_asset(
    key_prefix=["actions"],
    deps=[DIGESTS_KEY],
    description=(
        "Sends the outbox over SMTP (PULSE_SMTP_HOST ...): each digest at most once, moved to sent/ when the "
        "server accepts it; what fails stays in the outbox for the next run and fails this step."
    ),
    kinds={"email"},
)
def send_digests(context: dg.AssetExecutionContext, released_day: date) -> dg.MaterializeResult:
    from orchestration import settings
    from orchestration.digests.outbox import Outbox, send_outbox

    outbox = Outbox(settings.outbox_dir())
    report = send_outbox(outbox, settings.smtp())
    lines = report.lines(outbox.root)
    for line in lines:
        context.log.info(line)
    if not report.ok:
        raise dg.Failure(description="\n".join(lines), metadata={"sent": len(report.sent)})
    return dg.MaterializeResult(
        metadata={"sent": len(report.sent), "waiting": len(outbox.pending()), "outbox": str(outbox.root)}
    )


defs = dg.Definitions(assets=[digests, send_digests])
