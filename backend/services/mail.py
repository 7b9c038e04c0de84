"""The outbox sender: delivers queued messages by SMTP (or to the console), with retries and backoff.

Rows are claimed by a conditional UPDATE that stamps them with a fresh claim token and a short
lease, then read back by token, so any number of gunicorn workers, `flask send-mail` and app hosts
on a Galera cluster can run senders against one outbox without sending a message twice.
Messages addressed to `sms:<number>` go to the SMS backend instead.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from backend.config import Settings
from backend.db import run_retrying
from backend.repositories.mail import MailRepository
from backend.services.base import Service

log = logging.getLogger("shopwright.mail")

SMS_PREFIX = "sms:"
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# A claimed message is hidden this long; a sender that dies mid-delivery loses only this much time.
LEASE = timedelta(minutes=5)
POLL_SECONDS = 2.0


class Delivery(Protocol):
    """What every backend does: deliver one message or raise."""

    def send(self, to: str, subject: str, body: str) -> None: ...


class ConsoleEmail:
    """Logs the whole message (codes and links included) so a newcomer needs no SMTP server."""

    def send(self, to: str, subject: str, body: str) -> None:
        log.info("email to %s\nSubject: %s\n\n%s\n", to, subject, body)


class ConsoleSms:
    """The default SMS backend: the text goes to the server log."""

    def send(self, to: str, subject: str, body: str) -> None:
        log.info("sms to %s: %s", to, body)


class SmtpEmail:
    """SMTP delivery with the SMTP_* settings; STARTTLS when SMTP_TLS is on."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, to: str, subject: str, body: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.mail_from, to, subject
        message.set_content(body)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=15) as smtp:
            if s.smtp_tls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(message)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ... at most 1 h."""
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_CAP)


class MailService(Service):
    def __init__(self, *args: Any, before_send: Callable[[], object] | None = None) -> None:
        """before_send runs at the start of every delivery pass: it writes outbox rows that were queued
        as requests (account mail), so they leave in the same pass."""
        super().__init__(*args)
        self.before_send = before_send

    def email_backend(self) -> Delivery:
        return SmtpEmail(self.settings) if self.settings.mail_backend == "smtp" else ConsoleEmail()

    def sms_backend(self) -> Delivery:
        return ConsoleSms()

    def send_due(self, limit: int = 20) -> int:
        """Claim up to limit due messages and deliver them; returns how many were sent. Never raises for a delivery."""
        if self.before_send is not None:
            self.before_send()
        token, now = uuid.uuid4().hex, self.now()
        with self.db.uow() as uow:
            repo = MailRepository(uow.conn)
            batch = repo.list_claimed(token) if repo.update_claim_due(token, now, now + LEASE, limit) else []
            uow.commit()
        return sum(self._deliver(row, token) for row in batch)

    def _deliver(self, row: dict, token: str) -> bool:
        to = row["to_addr"]
        backend = self.sms_backend() if to.startswith(SMS_PREFIX) else self.email_backend()
        try:
            backend.send(to.removeprefix(SMS_PREFIX), row["subject"], row["body_text"])
            error = None
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        # Its own retried unit: the claim before it has committed, and the message must not go twice.
        run_retrying(lambda: self._record_outcome(row, token, error))
        if error:
            log.warning("message %s to %s not sent (attempt %s): %s", row["id"], to, row["attempts"] + 1, error)
        return error is None

    def _record_outcome(self, row: dict, token: str, error: str | None) -> None:
        attempts = row["attempts"] + 1
        with self.db.uow() as uow:
            repo = MailRepository(uow.conn)
            if error is None:
                repo.update_sent(row["id"], token, self.now())
            elif attempts >= MAX_ATTEMPTS:
                repo.update_failed(row["id"], token, error)
            else:
                repo.update_retry(row["id"], token, self.now() + backoff(attempts), error)
            uow.commit()
