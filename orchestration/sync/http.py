"""HTTP to a CRM: timeouts, and retries of 429, 5xx, timeouts and connection errors with a backoff that
honours Retry-After (httpx + tenacity). Every message that leaves this module is redacted."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import tenacity

from orchestration.sync.config import Destination
from orchestration.sync.credentials import Redactor

BODY_CHARS = 500  # of an error response's body kept in a message


class RetryableStatus(Exception):
    def __init__(self, response: httpx.Response):
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


class RequestFailed(Exception):
    """A request failed for good. `ambiguous`: the server may have applied it (5xx, timeout, connection lost);
    `stop`: later requests would fail the same way (authentication, an unavailable server)."""

    def __init__(self, message: str, *, ambiguous: bool, stop: bool):
        super().__init__(message)
        self.ambiguous = ambiguous
        self.stop = stop


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe(response: httpx.Response) -> str:
    body = " ".join(response.text.split())[:BODY_CHARS]
    return f"HTTP {response.status_code} {response.reason_phrase}: {body}".rstrip(": ")


class CrmHttp:
    """One httpx client per destination run; `request` retries what is worth retrying."""

    def __init__(
        self,
        base_url: str,
        destination: Destination,
        redactor: Redactor,
        log: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.destination = destination
        self.redactor = redactor
        self.log = log
        self.sleep = sleep
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(destination.timeout_seconds),
            headers={"User-Agent": "pulse-crm-sync"},
        )

    def close(self) -> None:
        self.client.close()

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        cap = self.destination.max_wait_seconds
        if isinstance(error, RetryableStatus):
            asked = retry_after_seconds(error.response.headers.get("Retry-After"))
            if asked is not None:
                return min(asked, cap)
        return min(self.destination.backoff_seconds * 2 ** (state.attempt_number - 1), cap)

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        what = describe(error.response) if isinstance(error, RetryableStatus) else type(error).__name__
        self.log(
            self.redactor.redact(
                f"{self.destination.name}: {what}; retrying in {wait:.1f} s "
                f"(attempt {state.attempt_number + 1} of {self.destination.retries})"
            )
        )

    def _once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableStatus(response)
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.destination.retries),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(
                (RetryableStatus, httpx.TimeoutException, httpx.TransportError)
            ),
            before_sleep=self._before_sleep,
            sleep=self.sleep,
            reraise=True,
        )
        attempts = self.destination.retries
        try:
            return retrying(self._once, method, path, **kwargs)
        except RetryableStatus as error:
            status = error.response.status_code
            raise RequestFailed(
                self.redactor.redact(f"{describe(error.response)} (after {attempts} attempts)"),
                ambiguous=status >= 500,
                stop=True,
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            # The request never reached the server: nothing can have been applied.
            raise RequestFailed(
                self.redactor.redact(
                    f"cannot connect: {type(error).__name__}: {error} (after {attempts} attempts)"
                ),
                ambiguous=False,
                stop=True,
            ) from None
        except httpx.TimeoutException as error:
            raise RequestFailed(
                self.redactor.redact(
                    f"no answer within {self.destination.timeout_seconds:g} s ({type(error).__name__}, "
                    f"after {attempts} attempts)"
                ),
                ambiguous=True,
                stop=True,
            ) from None
        except httpx.TransportError as error:
            raise RequestFailed(
                self.redactor.redact(
                    f"connection failed: {type(error).__name__}: {error} (after {attempts} attempts)"
                ),
                ambiguous=True,
                stop=True,
            ) from None
