"""The brake on mass changes, and the gate every acting asset goes through.

`data_release` judges each build's newest day against the last released day (orchestration/release) and
records the decision; the report site shows a held day as a banner. Anything that acts on people or on other
systems (alerts, digests, tasks, the CRM sync) is declared with `acting_asset`: it depends on the release and
is handed the newest released day, never a held one.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import dagster as dg

DATA_RELEASE_KEY = dg.AssetKey(["release", "data_release"])
ACTIONS_GROUP = "actions"


@dg.asset(
    key=DATA_RELEASE_KEY,
    group_name="release",
    deps=[
        dg.AssetKey(["marts", "fct_account_health_daily"]),
        dg.AssetKey(["intermediate", "int_health_settings"]),
    ],
    description=(
        "Holds the newest day when it moves more than hold_moved_share of the accounts between ranks "
        "since the last released day (seeds/health_settings.csv); `pulse confirm DATE` or a calmer "
        "build releases it."
    ),
    kinds={"duckdb"},
)
def data_release(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from orchestration.release import evaluate_brake, held_days, released_as_of
    from orchestration.release.holds import brake_settings
    from orchestration.warehouse import connect
    from orchestration.warehouse_lock import exclusive

    with exclusive(command=f"dagster run {context.run.run_id[:8]}: release"):
        con = connect()
        try:
            decision = evaluate_brake(con, brake_settings(con))
            released = released_as_of(con)
            held = held_days(con)
        finally:
            con.close()
    if decision is not None and decision.event == "held":
        context.log.warning(f"held {decision.as_of_date}: {decision.summary}")
    return dg.MaterializeResult(
        metadata={
            "released_as_of": str(released) if released else "none",
            "held_days": ", ".join(str(day) for day, _ in held) or "none",
            "decision": decision.event if decision else "unchanged",
            "summary": decision.summary if decision else "",
        }
    )


def acting_asset(**asset_kwargs: Any) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """Declare an asset that acts on people or other systems: it runs after the release and gets the newest
    released day (`fn(context, released_day)`), or is skipped when no day is released yet."""

    def decorator(fn: Callable[[dg.AssetExecutionContext, date], Any]) -> dg.AssetsDefinition:
        deps = [DATA_RELEASE_KEY, *asset_kwargs.pop("deps", [])]

        @dg.asset(name=fn.__name__, deps=deps, group_name=ACTIONS_GROUP, **asset_kwargs)
        def _acting(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            from orchestration.release import held_days, released_as_of
            from orchestration.warehouse import connect
            from orchestration.warehouse_lock import exclusive

            with exclusive(command=f"dagster run {context.run.run_id[:8]}: {fn.__name__}"):
                con = connect(read_only=True)
                try:
                    released = released_as_of(con)
                    held = held_days(con)
                finally:
                    con.close()
            for day, summary in held:
                context.log.warning(f"{fn.__name__}: {day} is held, not acted on: {summary}")
            if released is None:
                return dg.MaterializeResult(metadata={"acted_on": "nothing released yet"})
            result = fn(context, released)
            return (
                result
                if isinstance(result, dg.MaterializeResult)
                else dg.MaterializeResult(metadata={"acted_on": str(released)})
            )

        return _acting

    return decorator


defs = dg.Definitions(assets=[data_release])
