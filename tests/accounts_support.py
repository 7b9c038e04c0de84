"""Test support for the accounts area: a real SMTP server (aiosmtpd) and the real outbox sender aimed at it."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from backend.services.mail import MailService
from tests.helpers import _free_port

STRONG_PASSWORD = "plum-harbour-lantern-42"


@dataclass
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


class SmtpSink:
    """An SMTP server on a loopback port that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        with self._lock:
            self.messages.append(Received([a.lower() for a in envelope.rcpt_tos],
                                          message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def for_address(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address.lower() in m.to]


def wait_for_mail(sink: SmtpSink, sender: MailService, address: str, subject_has: str = "",
                  timeout: float = 10.0) -> Received:
    """Run the real sender until the sink holds a message for address (whose subject has subject_has)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in sink.for_address(address) if subject_has in m.subject]
        if found:
            return found[-1]
        sender.send_due()
        time.sleep(0.05)
    raise AssertionError(f"no mail for {address} with {subject_has!r}; got {[m.subject for m in sink.messages]}")


def code_in(received: Received) -> str:
    match = re.search(r"\b(\d{6})\b", received.body)
    assert match, received.body
    return match.group(1)


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sender(services, smtp_sink) -> MailService:
    """The real outbox sender with MAIL_BACKEND=smtp pointed at the sink, on the services' clock."""
    settings = replace(services.settings, mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=smtp_sink.port,
                       smtp_tls=False, smtp_user="")
    return MailService(services.db, settings, services.mail.now, before_send=services.auth.prepare_requested_mail)
