"""A real SMTP server on loopback for the notification tests: aiosmtpd on 127.0.0.1 with a port the system
chooses, keeping every message it accepts; it can be told to refuse recipients or messages with a given reply.
No TLS: it offers no STARTTLS, which the tests of that setting need."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from boligmonitor.pipeline.reporting.mail_settings import MailSettings, Security

LOOPBACK = "127.0.0.1"
SENDER = "Boligmonitor <ikke-svar@husbanken.example>"
BASE_URL = "https://boligmonitor.example"


class Mailbox:
    """The handler: what the server accepted, and the replies it is told to give instead."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse_recipient: str | None = None  # e.g. "550 5.1.1 no such user"
        self.refuse_data: str | None = None  # e.g. "451 4.3.0 try again later"

    def reset(self) -> None:
        self.messages.clear()
        self.recipients.clear()
        self.refuse_recipient = None
        self.refuse_data = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_recipient is not None:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_data is not None:
            return self.refuse_data
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class LoopbackController(Controller):
    """aiosmtpd's controller on a port the system chooses: ``start`` waits until the server answers."""

    def __init__(self, handler: Any) -> None:
        super().__init__(handler, hostname=LOOPBACK, port=0, ready_timeout=10.0)

    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]  # the port bound, before the readiness check
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer:
    def __init__(self, controller: LoopbackController, mailbox: Mailbox) -> None:
        self.controller = controller
        self.mailbox = mailbox

    @property
    def port(self) -> int:
        port = self.controller.port
        assert isinstance(port, int)
        return port

    def settings(self, *, security: Security = Security.NONE) -> MailSettings:
        return MailSettings(
            host=LOOPBACK, port=self.port, security=security, sender=SENDER, timeout=5.0, base_url=BASE_URL
        )

    def environment(self) -> dict[str, str]:
        """The same settings as environment variables (for the command line)."""
        return {
            "BOLIGMONITOR_SMTP_HOST": LOOPBACK,
            "BOLIGMONITOR_SMTP_PORT": str(self.port),
            "BOLIGMONITOR_SMTP_SECURITY": "none",
            "BOLIGMONITOR_SMTP_FROM": SENDER,
            "BOLIGMONITOR_SMTP_TIMEOUT": "5",
            "BOLIGMONITOR_BASE_URL": BASE_URL,
        }


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = LoopbackController(mailbox)
    controller.start()
    try:
        yield SmtpServer(controller, mailbox)
    finally:
        controller.stop()


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind((LOOPBACK, 0))
        yield bound.getsockname()[1]


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content
