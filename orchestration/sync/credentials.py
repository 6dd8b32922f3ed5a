"""Credentials of the remote destinations, from environment variables only (orchestration/settings.py), and
the redaction every message goes through before it is logged, raised or stored.

A `Secret` never shows its value in repr() or str(); `Redactor.redact` replaces every secret it knows (the
configured ones and any access token obtained at run time) in a text, so a server that echoes a header back in
an error body cannot put a token in the log, the warehouse or a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration import settings

REDACTED = "[redacted]"


class Secret:
    """A credential: its value only through reveal()."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret([redacted])"

    __str__ = __repr__


class Redactor:
    def __init__(self, *secrets: Secret | str | None):
        self._values: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: Secret | str | None) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        # Very short values would blank out ordinary words; real tokens and secrets are long.
        if value and len(value) >= 6:
            self._values.add(value)

    def redact(self, text: object) -> str:
        result = str(text)
        for value in sorted(self._values, key=len, reverse=True):
            result = result.replace(value, REDACTED)
        return result


@dataclass(frozen=True)
class Credentials:
    """What a destination type needs to connect; `missing` names the unset variables."""

    base_url: str | None = None
    client_id: str | None = None
    client_secret: Secret | None = field(default=None, repr=False)
    access_token: Secret | None = field(default=None, repr=False)
    missing: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return not self.missing

    def redactor(self) -> Redactor:
        return Redactor(self.client_secret, self.access_token)


def _secret(value: str | None) -> Secret | None:
    return Secret(value) if value else None


def credentials_for(destination_type: str) -> Credentials:
    """The credentials of a destination type from the environment (dataloader needs none)."""
    if destination_type == "salesforce":
        url, client_id = settings.salesforce_url(), settings.salesforce_client_id()
        secret, token = settings.salesforce_client_secret(), settings.salesforce_access_token()
        missing = []
        if not url:
            missing.append(settings.SALESFORCE_URL_ENV)
        if not token and not (client_id and secret):
            missing.append(
                f"{settings.SALESFORCE_CLIENT_ID_ENV} and {settings.SALESFORCE_CLIENT_SECRET_ENV} "
                f"(or {settings.SALESFORCE_ACCESS_TOKEN_ENV})"
            )
        return Credentials(url, client_id, _secret(secret), _secret(token), tuple(missing))
    if destination_type == "hubspot":
        token = settings.hubspot_token()
        missing = () if token else (settings.HUBSPOT_TOKEN_ENV,)
        return Credentials(settings.hubspot_url(), access_token=_secret(token), missing=missing)
    return Credentials()
