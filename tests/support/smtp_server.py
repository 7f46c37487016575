"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts, and refuses on demand."""

from __future__ import annotations

import email
import socket
import threading
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a loopback TCP port that is free now (aiosmtpd cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.server.next_refusal()
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd's Controller on a port picked first."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self._refusals: list[str] = []
        self.controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        """Start the server thread."""
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop the server thread."""
        self.controller.stop()

    def refuse_next(self, reply: str, *, times: int = 1) -> None:
        """Answer the next recipients with an SMTP reply such as '450 try later' or '550 no such user'."""
        with self.lock:
            self._refusals += [reply] * times

    def next_refusal(self) -> str | None:
        """Return the reply for the next recipient when a refusal is queued."""
        with self.lock:
            return self._refusals.pop(0) if self._refusals else None

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages accepted for an address."""
        return [m for m in self.messages if m["To"] == address]
