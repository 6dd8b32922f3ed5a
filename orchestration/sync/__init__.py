"""The CRM sync (reverse ETL): Insights tags and health from marts.crm_account_sync to Salesforce, HubSpot or
a Salesforce Data Loader file, sending only what changed and keeping every outcome (see engine.py)."""

from orchestration.sync.config import Destination, SyncConfigError, load_destination, load_destinations
from orchestration.sync.credentials import Credentials, credentials_for
from orchestration.sync.engine import SyncError, SyncSummary, sync_destination

__all__ = [
    "Credentials",
    "Destination",
    "SyncConfigError",
    "SyncError",
    "SyncSummary",
    "credentials_for",
    "load_destination",
    "load_destinations",
    "sync_destination",
]
