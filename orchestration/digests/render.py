"""A digest as a multipart email (text and HTML) from the Jinja2 templates beside this module.

The HTML template is autoescaped: every value (account names, reasons, follower names) is escaped. The text
part is plain text and shows values as they are. Names reach headers only through email.headerregistry,
which encodes them; the follows validation refuses line breaks in them.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

import jinja2

from orchestration.digests.compose import Digest

TEMPLATES = Path(__file__).resolve().parent / "templates"
MESSAGE_ID_DOMAIN = "pulse.digest"
DIGEST_HEADER = "X-Pulse-Digest"
SEVERITY_COLORS = {"critical": "#b42318", "high": "#c2410c", "medium": "#a16207", "low": "#3e7c17"}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def _groups(digest: Digest) -> list[dict[str, object]]:
    groups: dict[str, dict[str, object]] = {}
    for item in digest.shown:
        group = groups.setdefault(
            item.account_id,
            {
                "account_id": item.account_id,
                "account_name": item.account_name,
                "success_manager": item.success_manager,
                "items": [],
            },
        )
        group["items"].append(item)  # type: ignore[union-attr]
    return list(groups.values())


def subject(digest: Digest) -> str:
    changes = len(digest.items)
    return (
        f"Pulse digest {digest.day.isoformat()}: {changes} {'change' if changes == 1 else 'changes'} on "
        f"{digest.accounts} {'account' if digest.accounts == 1 else 'accounts'}"
    )


def message_id(digest_id: str) -> str:
    """The Message-ID of a digest: from its stable id, so a receiver sees a re-sent copy as the same mail."""
    return f"<{digest_id}@{MESSAGE_ID_DOMAIN}>"


def render_parts(digest: Digest) -> tuple[str, str]:
    """(text, html) of the digest."""
    follows = sorted({via for vias in digest.via.values() for via in vias})
    context = {
        "digest": digest,
        "groups": _groups(digest),
        "follows": follows,
        "subject": subject(digest),
        "colors": SEVERITY_COLORS,
    }
    text = _environment.get_template("digest.txt").render(context)
    html = _environment.get_template("digest.html").render(context)
    return text, html


def render_message(digest: Digest, sender: str) -> EmailMessage:
    text, html = render_parts(digest)
    message = EmailMessage()
    message["Subject"] = subject(digest)
    sender_name, sender_address = parseaddr(sender)
    message["From"] = Address(display_name=sender_name, addr_spec=sender_address)
    message["To"] = Address(display_name=digest.follower_name, addr_spec=digest.follower_email)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(digest.digest_id)
    message[DIGEST_HEADER] = digest.digest_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
