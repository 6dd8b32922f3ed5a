"""How each destination type sends a batch of records and reads records back.

- `send(records)` returns one `Result` per record (sent, or failed with the CRM's error text), or raises
  `RequestFailed` when the request as a whole failed.
- `read(records)` returns the CRM's current values of the records' fields (record id -> field -> value), to
  confirm records left in doubt by an interrupted run.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from orchestration.sync.config import Destination
from orchestration.sync.credentials import Credentials, Redactor
from orchestration.sync.http import CrmHttp, RequestFailed, describe
from orchestration.sync.payload import Record


@dataclass(frozen=True)
class Result:
    record_id: str
    ok: bool
    error: str | None = None


class Sender:
    destination: Destination
    target: str

    def send(self, records: list[Record], run_id: str) -> list[Result]:
        raise NotImplementedError

    def read(self, records: list[Record], target: str | None) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def target_for(self, run_id: str) -> str:
        """Where a batch of this run goes (kept with the records in doubt)."""
        return self.target

    def written_file(self) -> Path | None:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


class DataLoaderSender(Sender):
    """A CSV file per run for Salesforce Data Loader's Update: the id column, then the mapped fields."""

    def __init__(self, destination: Destination, directory: Path):
        self.destination = destination
        self.directory = directory
        self.target = str(directory)
        self.written: Path | None = None

    def file_for(self, run_id: str) -> Path:
        return self.directory / f"{self.destination.file_prefix}-{run_id}.csv"

    def target_for(self, run_id: str) -> str:
        return str(self.file_for(run_id))

    def written_file(self) -> Path | None:
        return self.written

    def send(self, records: list[Record], run_id: str) -> list[Result]:
        target = self.file_for(run_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".csv.partial")
        header = [self.destination.id_header, *self.destination.field_names]
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for record in records:
                writer.writerow(
                    [record.record_id]
                    + [
                        self.destination.null_value if value is None else _text(value)
                        for value in record.values.values()
                    ]
                )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)  # the file appears whole or not at all
        self.written = target
        return [Result(record.record_id, True) for record in records if record.record_id]

    def read(self, records: list[Record], target: str | None) -> dict[str, dict[str, Any]]:
        """The rows of the file an interrupted run wrote (nothing when it never appeared)."""
        path = Path(target) if target else None
        if path is None or not path.exists():
            return {}
        found: dict[str, dict[str, Any]] = {}
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                record_id = row.pop(self.destination.id_header, None)
                if record_id:
                    found[record_id] = {
                        key: None if value == self.destination.null_value else value
                        for key, value in row.items()
                    }
        return found


class SalesforceSender(Sender):
    """sObject Collections: PATCH /services/data/vXX.X/composite/sobjects with allOrNone false (one result per
    record, in request order); read back with POST /composite/sobjects/<object> (ids and fields in the body).
    OAuth 2.0 client credentials flow, or an access token given; a 401 gets one new token."""

    def __init__(
        self,
        destination: Destination,
        credentials: Credentials,
        redactor: Redactor,
        log: Callable[[str], None],
        sleep: Callable[[float], None],
    ):
        self.destination = destination
        self.credentials = credentials
        self.redactor = redactor
        self.target = credentials.base_url or ""
        self.http = CrmHttp(self.target, destination, redactor, log, sleep)
        self.token: str | None = credentials.access_token.reveal() if credentials.access_token else None
        self.api = f"/services/data/v{destination.api_version}"

    def close(self) -> None:
        self.http.close()

    def _can_refresh(self) -> bool:
        return bool(self.credentials.client_id and self.credentials.client_secret)

    def _authenticate(self) -> None:
        if not self._can_refresh():
            raise RequestFailed(
                "the access token was refused and no client id and secret are set", ambiguous=False, stop=True
            )
        response = self.http.request(
            "POST",
            "/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret.reveal(),  # type: ignore[union-attr]
            },
        )
        if response.status_code != 200:
            raise RequestFailed(
                self.redactor.redact(f"Salesforce authentication failed: {describe(response)}"),
                ambiguous=False,
                stop=True,
            )
        body = response.json()
        token = body.get("access_token")
        if not token:
            raise RequestFailed(
                "Salesforce authentication answered without an access token", ambiguous=False, stop=True
            )
        self.redactor.add(token)
        self.token = token
        instance = body.get("instance_url")
        if instance and instance.rstrip("/") != str(self.http.client.base_url).rstrip("/"):
            self.http.client.base_url = instance

    def _call(self, method: str, path: str, body: Any) -> httpx.Response:
        if self.token is None:
            self._authenticate()
        for attempt in range(2):
            response = self.http.request(
                method, path, json=body, headers={"Authorization": f"Bearer {self.token}"}
            )
            if response.status_code == 401 and attempt == 0 and self._can_refresh():
                self._authenticate()
                continue
            break
        return _checked(response, "Salesforce", self.redactor)

    def send(self, records: list[Record], run_id: str) -> list[Result]:
        body = {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": self.destination.object}, "id": record.record_id, **record.values}
                for record in records
            ],
        }
        response = self._call("PATCH", f"{self.api}/composite/sobjects", body)
        try:
            results = response.json()
        except ValueError:
            results = None
        if not isinstance(results, list) or len(results) != len(records):
            raise RequestFailed(
                self.redactor.redact(
                    f"Salesforce answered without one result per record: {describe(response)}"
                ),
                ambiguous=True,
                stop=False,
            )
        outcomes = []
        for record, result in zip(records, results, strict=True):
            if isinstance(result, dict) and result.get("success") is True:
                outcomes.append(Result(record.record_id, True))  # type: ignore[arg-type]
                continue
            errors = result.get("errors") if isinstance(result, dict) else None
            text = "; ".join(
                f"{error.get('statusCode', 'ERROR')}: {error.get('message', '')}"
                + (f" (fields: {', '.join(error['fields'])})" if error.get("fields") else "")
                for error in errors or []
                if isinstance(error, dict)
            )
            outcomes.append(
                Result(record.record_id, False, self.redactor.redact(text or f"not updated: {result}"))
            )  # type: ignore[arg-type]
        return outcomes

    def read(self, records: list[Record], target: str | None) -> dict[str, dict[str, Any]]:
        ids = [record.record_id for record in records]
        response = self._call(
            "POST",
            f"{self.api}/composite/sobjects/{self.destination.object}",
            {"ids": ids, "fields": self.destination.field_names},
        )
        found: dict[str, dict[str, Any]] = {}
        for record_id, item in zip(ids, response.json(), strict=False):
            if isinstance(item, dict):
                found[record_id] = {name: item.get(name) for name in self.destination.field_names}  # type: ignore[index]
        return found


def _checked(response: httpx.Response, crm: str, redactor: Redactor) -> httpx.Response:
    """The response when the CRM accepted the request (retries are done by then): a refused one (401, 403)
    stops the run, any other 4xx/5xx fails this batch only."""
    if response.status_code in (401, 403):
        raise RequestFailed(
            redactor.redact(f"{crm} refused the request: {describe(response)}"), ambiguous=False, stop=True
        )
    if response.status_code >= 400:
        raise RequestFailed(
            redactor.redact(f"{crm} rejected the batch: {describe(response)}"), ambiguous=False, stop=False
        )
    return response


class HubSpotSender(Sender):
    """CRM v3 batch APIs: POST /crm/v3/objects/<object>/batch/update (inputs: id and properties; 200 when all
    succeeded, 207 with `errors` naming the failed ids) and batch/read. Properties are strings; an empty
    string clears one."""

    def __init__(
        self,
        destination: Destination,
        credentials: Credentials,
        redactor: Redactor,
        log: Callable[[str], None],
        sleep: Callable[[float], None],
    ):
        self.destination = destination
        self.redactor = redactor
        self.target = credentials.base_url or ""
        self.http = CrmHttp(self.target, destination, redactor, log, sleep)
        self.headers = {"Authorization": f"Bearer {credentials.access_token.reveal()}"}  # type: ignore[union-attr]
        self.path = f"/crm/v3/objects/{destination.object}/batch"

    def close(self) -> None:
        self.http.close()

    def _call(self, path: str, body: Any) -> httpx.Response:
        response = self.http.request("POST", path, json=body, headers=self.headers)
        return _checked(response, "HubSpot", self.redactor)

    def send(self, records: list[Record], run_id: str) -> list[Result]:
        body = {
            "inputs": [
                {
                    "id": record.record_id,
                    "properties": {name: _text(value) for name, value in record.values.items()},
                }
                for record in records
            ]
        }
        response = self._call(f"{self.path}/update", body)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        succeeded = {str(item.get("id")) for item in answer.get("results") or [] if isinstance(item, dict)}
        errors: dict[str, str] = {}
        for error in answer.get("errors") or []:
            if not isinstance(error, dict):
                continue
            text = f"{error.get('category', 'ERROR')}: {error.get('message', '')}"
            for record_id in (error.get("context") or {}).get("ids") or []:
                errors[str(record_id)] = self.redactor.redact(text)
        outcomes = []
        for record in records:
            record_id = str(record.record_id)
            if record_id in errors:
                outcomes.append(Result(record_id, False, errors[record_id]))
            elif record_id in succeeded:
                outcomes.append(Result(record_id, True))
            else:
                outcomes.append(
                    Result(
                        record_id,
                        False,
                        f"no result for this record in HubSpot's answer (HTTP {response.status_code})",
                    )
                )
        return outcomes

    def read(self, records: list[Record], target: str | None) -> dict[str, dict[str, Any]]:
        body = {
            "properties": self.destination.field_names,
            "inputs": [{"id": record.record_id} for record in records],
        }
        answer = self._call(f"{self.path}/read", body).json()
        return {
            str(item.get("id")): {
                name: (item.get("properties") or {}).get(name) for name in self.destination.field_names
            }
            for item in answer.get("results") or []
            if isinstance(item, dict)
        }


def make_sender(
    destination: Destination,
    credentials: Credentials,
    redactor: Redactor,
    log: Callable[[str], None],
    sleep: Callable[[float], None],
    sync_dir: Path,
) -> Sender:
    if destination.type == "salesforce":
        return SalesforceSender(destination, credentials, redactor, log, sleep)
    if destination.type == "hubspot":
        return HubSpotSender(destination, credentials, redactor, log, sleep)
    return DataLoaderSender(destination, sync_dir / destination.name)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
