"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it takes, answers 451 for
the addresses a test names, and can SIGKILL a process the moment it holds a given message."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Mailbox:
    """What the server took: (envelope recipients, the message's bytes), in order."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    busy: set[str] = field(default_factory=set)  # recipients answered 451 (try again later)
    kill: tuple[int, int] | None = None  # (pid, after this many messages): SIGKILL before answering
    lose_killed: bool = False  # as if the message that triggered the kill never arrived
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.busy:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), content))
            count = len(self.received)
            if self.kill is not None and count == self.kill[1]:
                os.kill(self.kill[0], signal.SIGKILL)  # the sender dies holding no answer for this one
                self.kill = None
                if self.lose_killed:
                    self.received.pop()
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            taken = list(self.received)
        return [BytesParser(policy=policy.default).parsebytes(data) for _to, data in taken]

    def recipients(self) -> list[str]:
        with self.lock:
            return [address for to, _data in self.received for address in to]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(tls: ssl.SSLContext | None = None, **options: Any) -> Iterator[tuple[Mailbox, int]]:
    """A server on 127.0.0.1 (STARTTLS offered when ``tls`` is given) and its port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, tls_context=tls, data_size_limit=10_000_000, **options
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
