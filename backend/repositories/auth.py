"""SQL for proving who someone is: queued account mail requests, pending registrations, one-time login codes,
password reset tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

# Queue an account mail request; the same statement for every address, known or not.
ADD_MAIL_REQUEST = """
INSERT INTO account_mail_requests
  (kind, email, channel, username, full_name, password_hash, ip, request_id, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"""
# The oldest queued request, locked; rows another sender holds are skipped rather than waited for.
GET_NEXT_MAIL_REQUEST = """
SELECT id, kind, email, channel, username, full_name, password_hash, ip, request_id, created_at
FROM account_mail_requests ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"""
REMOVE_MAIL_REQUEST = "DELETE FROM account_mail_requests WHERE id = %s"

# A new registration for an email replaces any older one (new code, attempts back to zero).
UPSERT_PENDING = """
INSERT INTO pending_registrations (email, username, password_hash, full_name, code_hash, attempts, expires_at)
VALUES (%s, %s, %s, %s, %s, 0, %s)
ON DUPLICATE KEY UPDATE username = VALUES(username), password_hash = VALUES(password_hash),
  full_name = VALUES(full_name), code_hash = VALUES(code_hash), attempts = 0, expires_at = VALUES(expires_at)"""
# The pending registration of an email, locked while its code is checked.
GET_PENDING = """
SELECT id, email, username, password_hash, full_name, code_hash, attempts, expires_at
FROM pending_registrations WHERE email = %s FOR UPDATE"""
ADD_PENDING_ATTEMPT = "UPDATE pending_registrations SET attempts = attempts + 1 WHERE id = %s"
REMOVE_PENDING = "DELETE FROM pending_registrations WHERE id = %s"

ADD_CODE = """
INSERT INTO one_time_codes (user_id, purpose, code_hash, expires_at) VALUES (%s, %s, %s, %s)"""
# Older unused codes stop working when a new one is sent.
VOID_CODES = """
UPDATE one_time_codes SET used_at = %s WHERE user_id = %s AND purpose = %s AND used_at IS NULL"""
# The newest usable code of a user, locked while it is checked.
GET_LIVE_CODE = """
SELECT id, code_hash, attempts, expires_at FROM one_time_codes
WHERE user_id = %s AND purpose = %s AND used_at IS NULL AND expires_at > %s AND attempts < %s
ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE"""
ADD_CODE_ATTEMPT = "UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = %s"
USE_CODE = "UPDATE one_time_codes SET used_at = %s WHERE id = %s AND used_at IS NULL"

ADD_RESET = "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES (%s, %s, %s)"
# A usable reset token by its hash, locked so two resets cannot both use it.
GET_LIVE_RESET = """
SELECT id, user_id FROM password_reset_tokens
WHERE token_hash = %s AND used_at IS NULL AND expires_at > %s FOR UPDATE"""
# Using one token (or resetting) spends every other open token of the user too.
USE_RESETS = "UPDATE password_reset_tokens SET used_at = %s WHERE user_id = %s AND used_at IS NULL"


class AuthRepository(Repository):
    def add_mail_request(self, kind: str, email: str, at: datetime, channel: str = "email", username: str = "",
                         full_name: str = "", password_hash: str | None = None, ip: str = "",
                         request_id: str = "") -> int:
        return self._insert(ADD_MAIL_REQUEST, (kind, email, channel, username, full_name, password_hash, ip,
                                               request_id, at))

    def get_next_mail_request(self) -> dict[str, Any] | None:
        """The oldest queued request no other sender holds, row-locked (None when there is none)."""
        return self._one(GET_NEXT_MAIL_REQUEST)

    def remove_mail_request(self, request_id: int) -> int:
        return self._change(REMOVE_MAIL_REQUEST, (request_id,))

    def add_pending(self, email: str, username: str, password_hash: str, full_name: str,
                    code_hash: str, expires_at: datetime) -> int:
        return self._change(UPSERT_PENDING, (email, username, password_hash, full_name, code_hash, expires_at))

    def get_pending(self, email: str) -> dict[str, Any] | None:
        return self._one(GET_PENDING, (email,))

    def update_pending_attempt(self, pending_id: int) -> int:
        return self._change(ADD_PENDING_ATTEMPT, (pending_id,))

    def remove_pending(self, pending_id: int) -> int:
        return self._change(REMOVE_PENDING, (pending_id,))

    def add_code(self, user_id: int, purpose: str, code_hash: str, expires_at: datetime, now: datetime) -> int:
        """Void the user's open codes of this purpose, then store the new one; returns its id."""
        self._change(VOID_CODES, (now, user_id, purpose))
        return self._insert(ADD_CODE, (user_id, purpose, code_hash, expires_at))

    def get_live_code(self, user_id: int, purpose: str, now: datetime, max_attempts: int) -> dict[str, Any] | None:
        return self._one(GET_LIVE_CODE, (user_id, purpose, now, max_attempts))

    def update_code_attempt(self, code_id: int) -> int:
        return self._change(ADD_CODE_ATTEMPT, (code_id,))

    def update_code_used(self, code_id: int, now: datetime) -> int:
        return self._change(USE_CODE, (now, code_id))

    def add_reset(self, user_id: int, token_hash: str, expires_at: datetime) -> int:
        return self._insert(ADD_RESET, (user_id, token_hash, expires_at))

    def get_live_reset(self, token_hash: str, now: datetime) -> dict[str, Any] | None:
        return self._one(GET_LIVE_RESET, (token_hash, now))

    def update_resets_used(self, user_id: int, now: datetime) -> int:
        return self._change(USE_RESETS, (now, user_id))
