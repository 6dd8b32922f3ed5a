"""The CRM sync in the daily graph: one acting asset per destination file, after the payload mart and the
release (`acting_asset`: it syncs the newest released day, never a held one).

The Data Loader file always runs; Salesforce and HubSpot destinations are in the graph only when their
credentials are set (orchestration/settings.py). A record the CRM rejects, or a CRM that does not answer, does
not fail the asset: the outcome is kept in the warehouse (sync.*), shown on the Sync page (the report site is
built after the sync) and logged, and those records are retried by the next run. A bad destination file fails
the asset with the file, the key and what is allowed.
"""

from datetime import date

import dagster as dg

from orchestration.defs.release import acting_asset
from orchestration.sync.config import destination_types
from orchestration.sync.credentials import credentials_for

PAYLOAD_KEY = dg.AssetKey(["marts", "crm_account_sync"])


def _sync_asset(name: str, kind: str) -> dg.AssetsDefinition:
    def crm_sync(context: dg.AssetExecutionContext, released_day: date) -> dg.MaterializeResult:
        from orchestration.sync import SyncConfigError, SyncError, load_destinations, sync_destination
        from orchestration.warehouse import connect

        try:
            destination = load_destinations()[name]
        except SyncConfigError as error:
            raise dg.Failure(description=str(error)) from error
        con = connect()
        try:
            summary = sync_destination(con, destination, released_day=released_day, log=context.log.info)
        except SyncError as error:
            context.log.error(f"{name}: {error}")
            return dg.MaterializeResult(metadata={"status": "failed", "error": str(error)})
        finally:
            con.close()
        for line in summary.lines():
            (context.log.warning if summary.failed else context.log.info)(line)
        return dg.MaterializeResult(
            metadata={
                "status": summary.status,
                "as_of_date": str(summary.as_of_date),
                "run_id": summary.run_id or "",
                "sent": summary.sent,
                "confirmed": summary.confirmed,
                "unchanged": summary.unchanged,
                "failed": summary.failed,
                "no_crm_id": len(summary.no_crm_id),
                "target": summary.target or "",
            }
        )

    crm_sync.__name__ = f"crm_sync_{name}"
    return acting_asset(
        key_prefix=["actions"],
        deps=[PAYLOAD_KEY],
        description=f"Sync marts.crm_account_sync to the {name} destination ({kind}); only changed records.",
        kinds={"salesforce" if kind == "dataloader" else kind},
    )(crm_sync)


def sync_assets() -> list[dg.AssetsDefinition]:
    """An asset per destination file whose credentials are set (a Data Loader file needs none)."""
    return [
        _sync_asset(name, kind)
        for name, kind in destination_types().items()
        if kind not in ("salesforce", "hubspot") or credentials_for(kind).configured
    ]


SYNC_ASSETS = sync_assets()
SYNC_KEYS = [key for asset in SYNC_ASSETS for key in asset.keys]

defs = dg.Definitions(assets=SYNC_ASSETS)
