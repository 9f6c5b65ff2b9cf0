"""A real SMTP server on loopback for tests (aiosmtpd's Controller), recording every message it accepts."""
from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: email.message.EmailMessage

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class Recorder:
    """The handler: refuses the addresses in ``refuse`` with 550, keeps everything else."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.envelope_to]


class SmtpServer:
    """Start with :meth:`start`; ``url`` is what COURSEFLOW_SMTP_URL takes."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
