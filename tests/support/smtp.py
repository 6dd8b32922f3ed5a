"""Real SMTP servers for tests: aiosmtpd that records (or refuses) messages, and a bare socket server that
refuses at the greeting or drops the connection."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Recorder:
    """Accepts every message and keeps it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ANN401
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


class Refuser:
    """Refuses every message after DATA (a server that does not accept the mail)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ANN401
        return "554 5.7.1 Message refused by policy"


class DropsAfterFirst(Recorder):
    """Accepts the first message, then hangs up in the middle of the second (before its reply)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ANN401
        if self.messages:
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def smtp_server(handler: object) -> Iterator[tuple[str, int]]:
    """An aiosmtpd server on a free local port, for the duration of the block."""
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    try:
        yield HOST, controller.port
    finally:
        controller.stop()


@contextmanager
def broken_server(behaviour: str) -> Iterator[tuple[str, int]]:
    """A server that answers every connection with `554` and hangs up (behaviour "refuse") or hangs up
    without a word (behaviour "drop")."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                if behaviour == "refuse":
                    connection.sendall(b"554 5.3.2 No service for you\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield HOST, listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
