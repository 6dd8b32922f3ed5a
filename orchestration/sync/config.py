"""Destinations of the CRM sync: one mapping file per destination in orchestration/sync/destinations/.

A destination file names the CRM field each column of the payload mart (marts.crm_account_sync) goes to, and
how to reach the CRM. It is validated when loaded, like every configuration: an error names the file, the key
and what is allowed (`salesforce.yml: fields.Pulse_Insights__c: unknown payload column 'insight_tags';
allowed: ...`). The payload columns are read from the mart's contract (models/marts/sync/_sync__models.yml),
so the validation follows the mart without a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orchestration import settings
from orchestration.criteria.seed_rows import shown_path
from orchestration.yaml_files import load_yaml

DESTINATIONS_DIR = Path(__file__).resolve().parent / "destinations"
PAYLOAD_CONTRACT = settings.PROJECT_ROOT / "models" / "marts" / "sync" / "_sync__models.yml"
PAYLOAD_MODEL = "crm_account_sync"

TYPES = ("dataloader", "salesforce", "hubspot")
# The most records one request may carry: Salesforce sObject collections take 200, HubSpot batch APIs 100.
MAX_BATCH = {"salesforce": 200, "hubspot": 100}
COMMON_KEYS = ("name", "type", "record_id", "fields", "description")
REMOTE_KEYS = ("batch_size", "timeout_seconds", "retries", "backoff_seconds", "max_wait_seconds")
TYPE_KEYS = {
    "dataloader": ("id_header", "null_value", "file_prefix"),
    "salesforce": ("object", "api_version", *REMOTE_KEYS),
    "hubspot": ("object", *REMOTE_KEYS),
}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SALESFORCE_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
API_VERSION = re.compile(r"^\d+\.\d$")


class SyncConfigError(ValueError):
    """A destination file is invalid: the message names the file, the key and what is allowed."""


@dataclass(frozen=True)
class Destination:
    name: str
    type: str
    path: Path
    record_id: str  # the payload column holding the CRM's record id
    fields: tuple[tuple[str, str], ...]  # (CRM field, payload column), in file order
    description: str = ""
    object: str = "Account"
    api_version: str = "62.0"
    batch_size: int = 200
    timeout_seconds: float = 30.0
    retries: int = 5  # attempts per request (429, 5xx, timeouts and connection errors are retried)
    backoff_seconds: float = 1.0  # first wait when the server gives no Retry-After; doubles each attempt
    max_wait_seconds: float = 60.0
    id_header: str = "Id"
    null_value: str = "#N/A"  # Data Loader sets a field to null from #N/A
    file_prefix: str = "Account-update"

    @property
    def field_names(self) -> list[str]:
        return [field for field, _ in self.fields]

    @property
    def is_remote(self) -> bool:
        return self.type != "dataloader"


def payload_contract() -> list[tuple[str, str]]:
    """(column, data type) of marts.crm_account_sync, from its enforced contract."""
    document = load_yaml(PAYLOAD_CONTRACT)
    model = next(model for model in document["models"] if model["name"] == PAYLOAD_MODEL)
    return [(column["name"], column["data_type"]) for column in model["columns"]]


def payload_columns() -> list[str]:
    """The columns of marts.crm_account_sync."""
    return [name for name, _ in payload_contract()]


def _fail(path: Path, key: str, problem: str) -> SyncConfigError:
    return SyncConfigError(f"{shown_path(path)}: {key}: {problem}")


def _number(path: Path, document: dict, key: str, default: float, *, integer: bool, low: float, high: float):
    value = document.get(key, default)
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        raise _fail(path, key, f"{value!r} is not {kind}; allowed: {kind} from {low:g} to {high:g}")
    if not low <= value <= high:
        raise _fail(path, key, f"{value!r} is out of range; allowed: {kind} from {low:g} to {high:g}")
    return value


def load_destination(path: Path | str) -> Destination:
    path = Path(path)
    try:
        document = load_yaml(path)
    except yaml.YAMLError as error:
        raise SyncConfigError(f"{shown_path(path)}: not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise _fail(
            path, "(top level)", "expected a mapping of keys; allowed keys: " + ", ".join(COMMON_KEYS)
        )
    kind = document.get("type")
    if kind not in TYPES:
        raise _fail(path, "type", f"{kind!r} is not a destination type; allowed: {', '.join(TYPES)}")
    allowed_keys = (*COMMON_KEYS, *TYPE_KEYS[kind])
    for key in document:
        if key not in allowed_keys:
            raise _fail(
                path, str(key), f"unknown key for a {kind} destination; allowed: {', '.join(allowed_keys)}"
            )
    name = document.get("name", path.stem)
    if not isinstance(name, str) or not NAME.match(name):
        raise _fail(path, "name", f"{name!r} is not allowed; allowed: lower case letters, digits and _")
    columns = payload_columns()
    record_id = document.get("record_id")
    if record_id not in columns:
        raise _fail(
            path, "record_id", f"{record_id!r} is not a payload column; allowed: {', '.join(columns)}"
        )
    fields = document.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise _fail(path, "fields", "expected a mapping of CRM field: payload column, at least one")
    parsed: list[tuple[str, str]] = []
    for field, column in fields.items():
        key = f"fields.{field}"
        if not isinstance(field, str) or not SALESFORCE_FIELD.match(field):
            raise _fail(
                path, key, "not a CRM field name; allowed: letters, digits and _, starting with a letter"
            )
        if column not in columns:
            raise _fail(path, key, f"unknown payload column {column!r}; allowed: {', '.join(columns)}")
        parsed.append((field, column))
    options: dict[str, Any] = {}
    if kind in MAX_BATCH:
        high = MAX_BATCH[kind]
        options["batch_size"] = _number(path, document, "batch_size", high, integer=True, low=1, high=high)
        options["timeout_seconds"] = float(
            _number(path, document, "timeout_seconds", 30.0, integer=False, low=0.01, high=600)
        )
        options["retries"] = _number(path, document, "retries", 5, integer=True, low=1, high=20)
        options["backoff_seconds"] = float(
            _number(path, document, "backoff_seconds", 1.0, integer=False, low=0, high=600)
        )
        options["max_wait_seconds"] = float(
            _number(path, document, "max_wait_seconds", 60.0, integer=False, low=0, high=3600)
        )
        obj = document.get("object", "Account" if kind == "salesforce" else "companies")
        if not isinstance(obj, str) or not SALESFORCE_FIELD.match(obj):
            raise _fail(path, "object", f"{obj!r} is not an object name; allowed: letters, digits and _")
        options["object"] = obj
    if kind == "salesforce":
        version = str(document.get("api_version", "62.0"))
        if not API_VERSION.match(version):
            raise _fail(path, "api_version", f"{version!r} is not allowed; allowed: a version like 62.0")
        options["api_version"] = version
    if kind == "dataloader":
        for key, default in (("id_header", "Id"), ("null_value", "#N/A"), ("file_prefix", "Account-update")):
            value = document.get(key, default)
            if not isinstance(value, str) or (
                key != "null_value" and not SALESFORCE_FIELD.match(value.replace("-", "_"))
            ):
                raise _fail(path, key, f"{value!r} is not allowed; allowed: letters, digits, - and _")
            options[key] = value
        if options["id_header"] in fields:
            raise _fail(
                path, f"fields.{options['id_header']}", "is the id_header column; allowed: another field"
            )
    description = document.get("description", "")
    if not isinstance(description, str):
        raise _fail(path, "description", "expected text")
    return Destination(
        name=name,
        type=kind,
        path=path,
        record_id=record_id,
        fields=tuple(parsed),
        description=description,
        **options,
    )


def load_destinations(directory: Path | str | None = None) -> dict[str, Destination]:
    """Every destination file (*.yml) of the folder, validated, by name."""
    folder = Path(directory) if directory else DESTINATIONS_DIR
    destinations: dict[str, Destination] = {}
    for path in sorted(folder.glob("*.yml")):
        destination = load_destination(path)
        if destination.name in destinations:
            first = shown_path(destinations[destination.name].path)
            raise _fail(
                path, "name", f"{destination.name!r} is also the name of {first}; allowed: a unique name"
            )
        destinations[destination.name] = destination
    return destinations


def destination_types(directory: Path | str | None = None) -> dict[str, str]:
    """name -> type of each destination file, read leniently (no validation): which assets Dagster defines.

    A broken file still gets its asset, which fails with the validation error when it runs.
    """
    folder = Path(directory) if directory else DESTINATIONS_DIR
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            document = load_yaml(path)
        except yaml.YAMLError:
            document = None
        document = document if isinstance(document, dict) else {}
        name = document.get("name", path.stem)
        found[name if isinstance(name, str) and NAME.match(name) else path.stem] = str(document.get("type"))
    return found
