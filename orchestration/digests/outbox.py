"""The outbox: digests as .eml files waiting to be sent, and the ledger of what was sent.

    <outbox>/<day>-<digest id>.eml            composed, waiting to be sent
    <outbox>/sending/<day>-<digest id>.eml    handed to the SMTP server right now
    <outbox>/sent/<day>-<digest id>.eml       accepted by the server (the sent ledger)
    <outbox>/composed-days.txt                days whose digests were composed

A digest is written once: a digest id found in any of the three folders is never written again, so a re-run
cannot send it twice. A message moves to sending/ before it is handed to the server and to sent/ once the
server accepts it; when the server refuses it or the connection fails it goes back to the outbox for the next
run. A message left in sending/ (the process died while sending) may or may not have been delivered: it is
reported and not sent again (at most once); move it back to the outbox to send it anyway.
"""

from __future__ import annotations

import email
import email.policy
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from orchestration.settings import SmtpSettings

SENT = "sent"
SENDING = "sending"
DAYS_FILE = "composed-days.txt"
SMTP_TIMEOUT_SECONDS = 30
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def file_name(day: date, digest_id: str) -> str:
    return f"{day.isoformat()}-{digest_id}.eml"


def digest_id_of(path: Path) -> str:
    """The digest id of an outbox file name (<day>-<id>.eml)."""
    return path.stem[len("YYYY-MM-DD-") :]


class Outbox:
    def __init__(self, root: Path):
        self.root = root
        self.sent_dir = root / SENT
        self.sending_dir = root / SENDING

    def _ensure(self) -> None:
        for folder in (self.root, self.sent_dir, self.sending_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def pending(self) -> list[Path]:
        return sorted(self.root.glob("*.eml")) if self.root.exists() else []

    def sent(self) -> list[Path]:
        return sorted(self.sent_dir.glob("*.eml")) if self.sent_dir.exists() else []

    def interrupted(self) -> list[Path]:
        return sorted(self.sending_dir.glob("*.eml")) if self.sending_dir.exists() else []

    def knows(self, day: date, digest_id: str) -> bool:
        name = file_name(day, digest_id)
        return any((folder / name).exists() for folder in (self.root, self.sending_dir, self.sent_dir))

    def write(self, day: date, digest_id: str, message: EmailMessage) -> Path | None:
        """Put a message in the outbox, unless this digest was written before (then None)."""
        if self.knows(day, digest_id):
            return None
        self._ensure()
        target = self.root / file_name(day, digest_id)
        partial = self.root / f".{target.name}.partial"
        partial.write_bytes(message.as_bytes(policy=email.policy.SMTP))
        os.replace(partial, target)  # a reader never sees half a message
        return target

    def composed_days(self) -> list[date]:
        path = self.root / DAYS_FILE
        if not path.exists():
            return []
        lines = [line.strip() for line in path.read_text().splitlines()]
        return sorted({date.fromisoformat(line) for line in lines if line})

    def record_composed(self, day: date) -> None:
        if day in self.composed_days():
            return
        self._ensure()
        with (self.root / DAYS_FILE).open("a") as handle:
            handle.write(f"{day.isoformat()}\n")

    def claim(self, path: Path) -> Path | None:
        """Move a pending message to sending/ (None when another run took it first)."""
        self._ensure()
        target = self.sending_dir / path.name
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return None
        return target

    def release(self, path: Path) -> None:
        """Back to the outbox, for the next run."""
        os.replace(path, self.root / path.name)

    def mark_sent(self, path: Path) -> None:
        os.replace(path, self.sent_dir / path.name)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)  # file names
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, why), back in the outbox
    interrupted: list[str] = field(default_factory=list)  # in sending/ from an earlier run: not re-sent
    not_configured: bool = False  # no SMTP server: everything stays in the outbox

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    def lines(self, outbox: Path) -> list[str]:
        lines = [f"sent: {len(self.sent)} digest(s)"] if self.sent else []
        if self.not_configured:
            lines.append(f"not sent: no SMTP server configured (PULSE_SMTP_HOST); digests wait in {outbox}")
        for name, why in self.failed:
            lines.append(f"not sent, left in the outbox for the next run: {name}: {why}")
        for name in self.interrupted:
            lines.append(
                f"interrupted while sending, maybe delivered, not sent again: {outbox / SENDING / name} "
                "(move it back to the outbox to send it)"
            )
        return lines


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.user and not settings.starttls and settings.host not in LOCAL_HOSTS:
        raise smtplib.SMTPException(
            "PULSE_SMTP_USER is set but STARTTLS is off: the password would cross the network in clear; "
            "set PULSE_SMTP_STARTTLS=true"
        )
    client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        client.ehlo()
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _why(error: BaseException) -> str:
    """An SMTP error as one line (the server's reply, never the credentials we sent)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in error.recipients.items())
        return f"recipient refused ({replies})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}".rstrip(": ")


def send_outbox(outbox: Outbox, settings: SmtpSettings | None) -> SendReport:
    """Send every pending message once; what the server does not accept stays in the outbox."""
    report = SendReport(interrupted=[path.name for path in outbox.interrupted()])
    pending = outbox.pending()
    if settings is None:
        report.not_configured = bool(pending)
        return report
    if not pending:
        return report
    try:
        client = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        why = f"cannot connect to {settings.describe()}: {_why(error)}"
        report.failed = [(path.name, why) for path in pending]
        return report
    try:
        for index, path in enumerate(pending):
            claimed = outbox.claim(path)
            if claimed is None:
                continue
            message = email.message_from_bytes(claimed.read_bytes(), policy=email.policy.default)
            try:
                client.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                outbox.release(claimed)  # this message was refused; the connection is still good
                report.failed.append((path.name, _why(error)))
                continue
            except (OSError, smtplib.SMTPException) as error:
                outbox.release(claimed)  # the connection is gone: this one and the rest wait for the next run
                why = _why(error)
                report.failed.extend((rest.name, why) for rest in pending[index:])
                break
            outbox.mark_sent(claimed)
            report.sent.append(path.name)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return report
