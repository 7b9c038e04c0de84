"""SQL for the email outbox."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

# Queue one message; it is sent after the surrounding transaction commits.
ADD_MESSAGE = "INSERT INTO email_outbox (to_addr, subject, body_text) VALUES (%s, %s, %s)"
# Queue one message to a user's address, read by the same statement (one round trip, not two).
ADD_MESSAGE_TO_USER = """
INSERT INTO email_outbox (to_addr, subject, body_text) SELECT email, %s, %s FROM users WHERE id = %s"""
# Due messages, locked; rows another worker holds are skipped rather than waited for
# (SKIP LOCKED: MySQL 8 and MariaDB 10.6+).
LIST_DUE = """
SELECT id, to_addr, subject, body_text, attempts FROM email_outbox
WHERE status = 'pending' AND next_attempt_at <= %s
ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED"""
# Claim a message: count the attempt and hide it until the lease ends (a crashed sender's
# claims come due again then).
CLAIM = "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = %s WHERE id = %s"
MARK_SENT = "UPDATE email_outbox SET status = 'sent', sent_at = %s, last_error = '' WHERE id = %s"
MARK_RETRY = "UPDATE email_outbox SET next_attempt_at = %s, last_error = %s WHERE id = %s"
MARK_FAILED = "UPDATE email_outbox SET status = 'failed', last_error = %s WHERE id = %s"
GET_MESSAGE = """
SELECT id, to_addr, subject, body_text, status, attempts, next_attempt_at, last_error, created_at, sent_at
FROM email_outbox WHERE id = %s"""


class MailRepository(Repository):
    def add_message(self, to_addr: str, subject: str, body_text: str) -> int:
        """Queue a message inside the caller's transaction; returns its id."""
        return self._insert(ADD_MESSAGE, (to_addr, subject, body_text))

    def add_message_to_user(self, user_id: int, subject: str, body_text: str) -> int:
        """add_message to the user's email address; returns 0 when there is no such user."""
        return self._change(ADD_MESSAGE_TO_USER, (subject, body_text, user_id))

    def list_due(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Due pending messages, row-locked, skipping rows locked by another sender."""
        return self._all(LIST_DUE, (now, limit))

    def update_claimed(self, message_id: int, lease_until: datetime) -> int:
        return self._change(CLAIM, (lease_until, message_id))

    def update_sent(self, message_id: int, now: datetime) -> int:
        return self._change(MARK_SENT, (now, message_id))

    def update_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> int:
        return self._change(MARK_RETRY, (next_attempt_at, error[:500], message_id))

    def update_failed(self, message_id: int, error: str) -> int:
        return self._change(MARK_FAILED, (error[:500], message_id))

    def get_message(self, message_id: int) -> dict[str, Any] | None:
        return self._one(GET_MESSAGE, (message_id,))
