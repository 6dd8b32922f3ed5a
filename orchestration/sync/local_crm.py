"""A local stand-in for the CRM endpoints the sync uses, served on 127.0.0.1 in a thread: the tests and
`make bench` sync to it (point PULSE_SALESFORCE_URL / PULSE_HUBSPOT_URL at `LocalCrm.url`).

It implements what Pulse calls, with the real APIs' shapes:
- Salesforce: POST /services/oauth2/token (client credentials), PATCH /services/data/vXX.X/composite/sobjects
  (allOrNone false, at most 200 records, one result per record), POST .../composite/sobjects/<object> (read).
- HubSpot: POST /crm/v3/objects/<object>/batch/update (at most 100 inputs; 200, or 207 with `errors`) and
  .../batch/read.

It keeps what was applied (`records`, `applied` counts per record) and every request, and can be told how to
answer the next update requests (`script`): a status with headers (429 + Retry-After, 500), a timeout (no
answer), a 500 that echoes the Authorization header back (a careless server), or apply-then-stall (the answer
comes late: a client killed meanwhile never sees it). Records in `rejected` fail one by one.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

SALESFORCE_UPDATE = re.compile(r"^/services/data/v\d+\.\d/composite/sobjects/?$")
SALESFORCE_READ = re.compile(r"^/services/data/v\d+\.\d/composite/sobjects/(\w+)$")
HUBSPOT_BATCH = re.compile(r"^/crm/v3/objects/(\w+)/batch/(update|read)$")


@dataclass
class Behaviour:
    """How to answer one update request: kind is status | timeout | echo_auth | apply_then_stall."""

    kind: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    seconds: float = 0.0


class LocalCrm:
    def __init__(
        self,
        *,
        client_id: str = "pulse-local-client",
        client_secret: str = "local-client-secret-0000",
        hubspot_token: str = "pat-local-hubspot-token-0000",
        access_tokens: tuple[str, ...] = (),
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.hubspot_token = hubspot_token
        self.valid_tokens: set[str] = set(access_tokens)
        self.records: dict[tuple[str, str], dict[str, Any]] = {}  # (system, record id) -> fields
        self.applied: Counter[tuple[str, str]] = Counter()  # times each record was updated
        self.requests: list[dict[str, Any]] = []  # every request: method, path, ids, status, at
        self.script: deque[Behaviour] = deque()  # answers for the next update requests
        self.rejected: dict[str, str] = {}  # record id -> error message (fails one by one)
        self.stall_after_apply = 0.0  # seconds every update waits after applying, before answering
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalCrm:
        crm = self

        class Handler(_Handler):
            server_crm = crm

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalCrm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the tests look at
    def updates(self, system: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r["kind"] == "update" and (system is None or r["system"] == system)
            ]

    def sent_ids(self, system: str | None = None) -> list[str]:
        """Record ids of every update request received (applied or not), in order."""
        return [record_id for request in self.updates(system) for record_id in request["ids"]]

    def applied_count(self, system: str) -> Counter[str]:
        with self.lock:
            return Counter({rid: n for (sys_, rid), n in self.applied.items() if sys_ == system})

    def reset_counts(self) -> None:
        with self.lock:
            self.applied.clear()
            self.requests.clear()

    # -- behaviour
    def next_behaviour(self) -> Behaviour | None:
        with self.lock:
            return self.script.popleft() if self.script else None

    def issue_token(self) -> str:
        token = "00Dlocal!" + secrets.token_hex(16)
        with self.lock:
            self.valid_tokens.add(token)
        return token

    def apply(self, system: str, record_id: str, values: dict[str, Any]) -> str | None:
        """Apply one record's update; the error text when it is rejected."""
        with self.lock:
            if record_id in self.rejected:
                return self.rejected[record_id]
            self.records.setdefault((system, record_id), {}).update(values)
            self.applied[(system, record_id)] += 1
            return None

    def log(self, **request: Any) -> None:
        with self.lock:
            self.requests.append({"at": time.monotonic(), **request})


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (a sync's timeout, a killed process) is part of what this server is for: its
    broken pipe is not printed as a traceback; other errors still are."""

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ANN401 - the base signature
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError, ConnectionResetError
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_crm: LocalCrm

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return None

    # -- plumbing
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _bearer(self) -> str:
        value = self.headers.get("Authorization") or ""
        return value.removeprefix("Bearer ").strip()

    def do_POST(self) -> None:
        self._route("POST")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def _route(self, method: str) -> None:
        crm = self.server_crm
        body = self._body()
        path = self.path.split("?")[0]
        if method == "POST" and path == "/services/oauth2/token":
            return self._token(body)
        if method == "PATCH" and SALESFORCE_UPDATE.match(path):
            return self._update("salesforce", body)
        if method == "POST" and (match := SALESFORCE_READ.match(path)):
            return self._salesforce_read(match.group(1), body)
        if method == "POST" and (match := HUBSPOT_BATCH.match(path)):
            return self._update("hubspot", body) if match.group(2) == "update" else self._hubspot_read(body)
        crm.log(kind="other", system="", method=method, path=path, ids=[], status=404)
        return self._answer(404, [{"errorCode": "NOT_FOUND", "message": f"no route {method} {path}"}])

    # -- Salesforce
    def _token(self, body: bytes) -> None:
        crm = self.server_crm
        form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        ok = (
            form.get("grant_type") == "client_credentials"
            and form.get("client_id") == crm.client_id
            and form.get("client_secret") == crm.client_secret
        )
        crm.log(
            kind="token",
            system="salesforce",
            method="POST",
            path=self.path,
            ids=[],
            status=200 if ok else 400,
        )
        if not ok:
            return self._answer(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        token = crm.issue_token()
        return self._answer(200, {"access_token": token, "instance_url": crm.url, "token_type": "Bearer"})

    def _authorized(self, system: str) -> bool:
        crm = self.server_crm
        token = self._bearer()
        if system == "hubspot":
            return token == crm.hubspot_token
        with crm.lock:
            return token in crm.valid_tokens

    def _update(self, system: str, body: bytes) -> None:
        crm = self.server_crm
        payload = json.loads(body or b"{}")
        if system == "salesforce":
            items = payload.get("records") or []
            ids = [str(item.get("id")) for item in items]
        else:
            items = payload.get("inputs") or []
            ids = [str(item.get("id")) for item in items]
        if not self._authorized(system):
            crm.log(kind="update", system=system, method=self.command, path=self.path, ids=ids, status=401)
            if system == "salesforce":
                return self._answer(
                    401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
                )
            return self._answer(
                401, {"status": "error", "category": "INVALID_AUTHENTICATION", "message": "bad token"}
            )
        limit = 200 if system == "salesforce" else 100
        if len(items) > limit or (system == "salesforce" and payload.get("allOrNone") is not False):
            crm.log(kind="update", system=system, method=self.command, path=self.path, ids=ids, status=400)
            return self._answer(
                400, [{"errorCode": "INVALID_BATCH", "message": f"at most {limit}, allOrNone false"}]
            )
        behaviour = crm.next_behaviour()
        if behaviour is not None and behaviour.kind == "timeout":
            crm.log(kind="update", system=system, method=self.command, path=self.path, ids=ids, status=0)
            time.sleep(behaviour.seconds)  # no answer in time; nothing applied
            self.close_connection = True
            return None
        if behaviour is not None and behaviour.kind in ("status", "echo_auth"):
            crm.log(
                kind="update",
                system=system,
                method=self.command,
                path=self.path,
                ids=ids,
                status=behaviour.status,
            )
            text = behaviour.body or f"status {behaviour.status}"
            if behaviour.kind == "echo_auth":
                text = f"internal error while handling Authorization: {self.headers.get('Authorization')}"
            return self._answer(
                behaviour.status, [{"errorCode": "SERVER_ERROR", "message": text}], behaviour.headers
            )
        crm.log(kind="update", system=system, method=self.command, path=self.path, ids=ids, status=200)
        results, errors = [], []
        for item, record_id in zip(items, ids, strict=True):
            values = (
                {key: value for key, value in item.items() if key not in ("attributes", "id")}
                if system == "salesforce"
                else dict(item.get("properties") or {})
            )
            error = crm.apply(system, record_id, values)
            if system == "salesforce":
                results.append(
                    {"id": record_id, "success": True, "errors": []}
                    if error is None
                    else {
                        "success": False,
                        "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": error, "fields": []}],
                    }
                )
            elif error is None:
                results.append({"id": record_id, "properties": values, "archived": False})
            else:
                errors.append(
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "message": error,
                        "context": {"ids": [record_id]},
                    }
                )
        stall = (
            behaviour.seconds
            if behaviour is not None and behaviour.kind == "apply_then_stall"
            else crm.stall_after_apply
        )
        if stall:
            time.sleep(stall)  # applied; the answer comes late
        if system == "salesforce":
            return self._answer(200, results)
        answer = {"status": "COMPLETE", "results": results}
        if errors:
            answer["errors"] = errors
        return self._answer(207 if errors else 200, answer)

    def _salesforce_read(self, obj: str, body: bytes) -> None:
        crm = self.server_crm
        payload = json.loads(body or b"{}")
        ids = [str(i) for i in payload.get("ids") or []]
        crm.log(kind="read", system="salesforce", method="POST", path=self.path, ids=ids, status=200)
        if not self._authorized("salesforce"):
            return self._answer(
                401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
        fields = payload.get("fields") or []
        with crm.lock:
            found = [crm.records.get(("salesforce", record_id)) for record_id in ids]
        answer = [
            None
            if record is None
            else {"attributes": {"type": obj}, "Id": record_id, **{name: record.get(name) for name in fields}}
            for record_id, record in zip(ids, found, strict=True)
        ]
        return self._answer(200, answer)

    def _hubspot_read(self, body: bytes) -> None:
        crm = self.server_crm
        payload = json.loads(body or b"{}")
        ids = [str(item.get("id")) for item in payload.get("inputs") or []]
        crm.log(kind="read", system="hubspot", method="POST", path=self.path, ids=ids, status=200)
        if not self._authorized("hubspot"):
            return self._answer(
                401, {"status": "error", "category": "INVALID_AUTHENTICATION", "message": "bad token"}
            )
        names = payload.get("properties") or []
        with crm.lock:
            found = {record_id: crm.records.get(("hubspot", record_id)) for record_id in ids}
        results = [
            {"id": record_id, "properties": {name: record.get(name) for name in names}}
            for record_id, record in found.items()
            if record is not None
        ]
        return self._answer(200, {"status": "COMPLETE", "results": results})
