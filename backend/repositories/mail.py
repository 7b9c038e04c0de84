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
# Claim due messages for one sender: a conditional UPDATE, so on a Galera cluster two nodes claiming
# the same row conflict at commit (one is retried and finds it no longer due), and on one server
# the second waits for the first's row locks and then skips what is no longer due. Counts the
# attempt and hides the row until the lease ends (a crashed sender's claims come due again then).
CLAIM_DUE = """
UPDATE email_outbox SET claimed_by = %s, attempts = attempts + 1, next_attempt_at = %s
WHERE status = 'pending' AND next_attempt_at <= %s ORDER BY next_attempt_at, id LIMIT %s"""
# What this claim token holds, read back in the claiming transaction.
LIST_CLAIMED = """
SELECT id, to_addr, subject, body_text, attempts - 1 AS attempts FROM email_outbox
WHERE claimed_by = %s AND status = 'pending' ORDER BY id"""
# The outcome, written only by the claim's holder.
MARK_SENT = ("UPDATE email_outbox SET status = 'sent', sent_at = %s, last_error = '', claimed_by = NULL "
             "WHERE id = %s AND claimed_by = %s")
MARK_RETRY = ("UPDATE email_outbox SET next_attempt_at = %s, last_error = %s, claimed_by = NULL "
              "WHERE id = %s AND claimed_by = %s")
MARK_FAILED = ("UPDATE email_outbox SET status = 'failed', last_error = %s, claimed_by = NULL "
               "WHERE id = %s AND claimed_by = %s")
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

    def update_claim_due(self, token: str, now: datetime, lease_until: datetime, limit: int) -> int:
        """Claim up to limit due messages for token until lease_until; returns how many."""
        return self._change(CLAIM_DUE, (token, lease_until, now, limit))

    def list_claimed(self, token: str) -> list[dict[str, Any]]:
        """The pending messages token holds (attempts as before this claim)."""
        return self._all(LIST_CLAIMED, (token,))

    def update_sent(self, message_id: int, token: str, now: datetime) -> int:
        return self._change(MARK_SENT, (now, message_id, token))

    def update_retry(self, message_id: int, token: str, next_attempt_at: datetime, error: str) -> int:
        return self._change(MARK_RETRY, (next_attempt_at, error[:500], message_id, token))

    def update_failed(self, message_id: int, token: str, error: str) -> int:
        return self._change(MARK_FAILED, (error[:500], message_id, token))

    def get_message(self, message_id: int) -> dict[str, Any] | None:
        return self._one(GET_MESSAGE, (message_id,))
