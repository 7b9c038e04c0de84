"""The outbox sender against the real database and a real SMTP server: delivery, retries, backoff, claiming."""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from backend.background import BackgroundLoop
from backend.context import Actor
from backend.repositories.mail import MailRepository
from backend.services.mail import MAX_ATTEMPTS, MailService, backoff
from tests import accounts_support
from tests.accounts_support import wait_for_mail
from tests.conftest import uid
from tests.helpers import _free_port

ACTOR = Actor(ip="127.0.0.1", request_id="test")

# The SMTP sink and the real sender aimed at it (fixtures shared by the accounts tests).
smtp_sink, smtp_sender = accounts_support.smtp_sink, accounts_support.smtp_sender


def _queue(db, to: str, subject: str = "Hello", body: str = "Body text") -> int:
    with db.uow() as uow:
        message_id = MailRepository(uow.conn).add_message(to, subject, body)
        uow.commit()
    return message_id


def _row(db, message_id: int) -> dict:
    with db.uow() as uow:
        return MailRepository(uow.conn).get_message(message_id)


def test_smtp_delivery_marks_the_row_sent(db, smtp_sink, smtp_sender):
    to = f"deliver-{uid()}@example.test"
    message_id = _queue(db, to, "Greetings", "Line one\nLine two")
    received = wait_for_mail(smtp_sink, smtp_sender, to, "Greetings")
    assert received.body.strip().splitlines() == ["Line one", "Line two"]
    row = _row(db, message_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, "")
    assert row["sent_at"] is not None


def test_failed_delivery_backs_off_then_gives_up(db, services, travel):
    dead = MailService(services.db, replace(services.settings, mail_backend="smtp", smtp_host="127.0.0.1",
                                            smtp_port=_free_port()), services.mail.now)
    message_id = _queue(db, f"bounce-{uid()}@example.test")
    dead.send_due(limit=1000)
    row = _row(db, message_id)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "ConnectionRefused" in row["last_error"]
    assert row["next_attempt_at"] >= services.mail.now() + backoff(1) - backoff(1) / 10
    dead.send_due(limit=1000)  # not due yet: nothing happens
    assert _row(db, message_id)["attempts"] == 1
    for attempt in range(2, MAX_ATTEMPTS + 1):
        travel(backoff(attempt - 1))
        dead.send_due(limit=1000)
        assert _row(db, message_id)["attempts"] == attempt
    assert _row(db, message_id)["status"] == "failed"
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]


def test_two_claims_never_get_the_same_row(db):
    ids = {_queue(db, f"claim-{uid()}@example.test") for _ in range(3)}
    now = MailService(db, db.settings).now()
    lease = now + timedelta(minutes=5)
    second: dict[str, set[int]] = {}

    def claim_all() -> None:  # another worker while the first still holds its rows: waits, then skips them
        with db.uow() as uow:
            repo = MailRepository(uow.conn)
            repo.update_claim_due("second", now, lease, 100_000)
            second["ids"] = {r["id"] for r in repo.list_claimed("second")}
            uow.commit()

    with db.uow() as first:
        repo = MailRepository(first.conn)
        assert repo.update_claim_due("first", now, lease, 1) == 1
        claimed_first = {r["id"] for r in repo.list_claimed("first")}
        other = threading.Thread(target=claim_all)
        other.start()
        time.sleep(0.3)
        first.commit()
    other.join(timeout=10)
    assert len(claimed_first) == 1
    assert not claimed_first & second["ids"]
    assert ids <= claimed_first | second["ids"]


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def send(self, to: str, subject: str, body: str) -> None:
        with self._lock:
            self.sent.append(to)


def test_four_concurrent_senders_deliver_every_message_exactly_once(db, services):
    recorder = _Recorder()

    class Recording(MailService):
        def email_backend(self):
            return recorder

    addresses = [f"once-{i}-{uid()}@example.test" for i in range(40)]
    for to in addresses:
        _queue(db, to)
    senders = [Recording(services.db, services.settings, services.mail.now) for _ in range(4)]

    def drain(sender: MailService) -> None:
        while sender.send_due(limit=5):
            pass

    threads = [threading.Thread(target=drain, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(to for to in recorder.sent if to in set(addresses)) == Counter(addresses)
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'sent' AND attempts = 1 "
                    "AND claimed_by IS NULL AND to_addr LIKE 'once-%%'")
        assert cur.fetchone()["n"] >= 40


def test_console_backend_logs_the_whole_message_code_included(services, make_user, caplog):
    user = make_user()
    services.auth.request_otp(ACTOR, user["email"])
    with caplog.at_level(logging.INFO, logger="shopwright.mail"):
        services.mail.send_due(limit=1000)
    logged = "\n".join(r.getMessage() for r in caplog.records if user["email"] in r.getMessage())
    assert "Your login code is " in logged and "valid for 10 minutes" in logged


def test_sms_codes_go_through_the_sms_backend(services, make_user, caplog):
    user = make_user()
    phone = f"+3161{uid()[:7].translate(str.maketrans('abcdef', '123456'))}"
    with services.db.cursor() as cur:
        cur.execute("UPDATE users SET phone = %s WHERE id = %s", (phone, user["id"]))
    services.auth.request_otp(ACTOR, user["email"], channel="sms")
    with caplog.at_level(logging.INFO, logger="shopwright.mail"):
        services.mail.send_due(limit=1000)
    sms = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"sms to {phone}:")]
    assert len(sms) == 1 and "Your login code is " in sms[0]


def test_background_thread_delivers_and_stops(db, smtp_sink, smtp_sender):
    to = f"thread-{uid()}@example.test"
    loop = BackgroundLoop("outbox-sender", smtp_sender.send_due, 0.1)
    loop.ensure_started()
    try:
        _queue(db, to, "From the thread")
        deadline = time.monotonic() + 10
        while not smtp_sink.for_address(to) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        loop.stop()
    assert not loop.running()
    assert [m.subject for m in smtp_sink.for_address(to)] == ["From the thread"]
