"""SQL for the scheduled cleanup: rows whose time is up, deleted in bounded batches."""
from __future__ import annotations

from datetime import datetime

from backend.repositories import Repository

# Each statement deletes at most %s rows, so one run never holds long locks on a big table.
# Audit events older than the retention cutoff.
REMOVE_OLD_AUDIT = "DELETE FROM audit_log WHERE created_at < %s ORDER BY id LIMIT %s"
# One-time login codes that expired or were used.
REMOVE_CODES = "DELETE FROM one_time_codes WHERE expires_at <= %s OR used_at IS NOT NULL LIMIT %s"
# Password reset tokens that expired or were used.
REMOVE_RESET_TOKENS = "DELETE FROM password_reset_tokens WHERE expires_at <= %s OR used_at IS NOT NULL LIMIT %s"
# Sessions past their absolute lifetime or idle too long.
REMOVE_SESSIONS = "DELETE FROM sessions WHERE expires_at <= %s OR last_seen_at <= %s LIMIT %s"
# Registrations never verified in time.
REMOVE_PENDING = "DELETE FROM pending_registrations WHERE expires_at <= %s LIMIT %s"
# Guest carts untouched since the cutoff (their lines go with them by ON DELETE CASCADE).
REMOVE_GUEST_CARTS = "DELETE FROM carts WHERE user_id IS NULL AND updated_at < %s LIMIT %s"
# Idempotency keys old enough that no client still retries with them.
REMOVE_IDEMPOTENCY_KEYS = "DELETE FROM idempotency_keys WHERE created_at < %s LIMIT %s"


class CleanupRepository(Repository):
    def remove_old_audit(self, before: datetime, limit: int) -> int:
        return self._change(REMOVE_OLD_AUDIT, (before, limit))

    def remove_spent_codes(self, now: datetime, limit: int) -> int:
        return self._change(REMOVE_CODES, (now, limit))

    def remove_spent_reset_tokens(self, now: datetime, limit: int) -> int:
        return self._change(REMOVE_RESET_TOKENS, (now, limit))

    def remove_expired_sessions(self, now: datetime, idle_since: datetime, limit: int) -> int:
        return self._change(REMOVE_SESSIONS, (now, idle_since, limit))

    def remove_expired_pending(self, now: datetime, limit: int) -> int:
        return self._change(REMOVE_PENDING, (now, limit))

    def remove_old_guest_carts(self, before: datetime, limit: int) -> int:
        return self._change(REMOVE_GUEST_CARTS, (before, limit))

    def remove_old_idempotency_keys(self, before: datetime, limit: int) -> int:
        return self._change(REMOVE_IDEMPOTENCY_KEYS, (before, limit))
