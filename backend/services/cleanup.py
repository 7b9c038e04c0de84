"""Retention: delete what has expired (audit events past retention, codes, tokens, sessions,
pending registrations, old guest carts, stale idempotency keys), on a schedule and from the CLI."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from backend.repositories.cleanup import CleanupRepository, LockRepository
from backend.services.base import Service

log = logging.getLogger("shopwright.cleanup")
BATCH = 5000
GUEST_CART_DAYS = 30
# A client retrying an order does so within minutes; a week is far beyond any retry.
IDEMPOTENCY_KEY_DAYS = 7
LOCK_NAME = "shopwright_cleanup"


class CleanupService(Service):
    def run(self) -> dict[str, int] | None:
        """Delete every expired kind of row; the counts per kind, or None when another process is running it."""
        with self.db.uow() as lock_uow:
            locks = LockRepository(lock_uow.conn)
            if not locks.get_lock(LOCK_NAME):
                return None
            try:
                return self._run_all()
            finally:
                locks.release_lock(LOCK_NAME)

    def run_scheduled(self) -> bool:
        """One scheduled pass, logged; returns False so the schedule waits a full interval before the next."""
        counts = self.run()
        log.info("cleanup: %s", counts if counts is not None else "skipped, running elsewhere")
        return False

    def _run_all(self) -> dict[str, int]:
        now = self.now()
        idle_since = now - timedelta(minutes=self.settings.session_idle_minutes)
        jobs: dict[str, Callable[[CleanupRepository], int]] = {
            "audit_events": lambda r: r.remove_old_audit(
                now - timedelta(days=self.settings.audit_retention_days), BATCH),
            "login_codes": lambda r: r.remove_spent_codes(now, BATCH),
            "reset_tokens": lambda r: r.remove_spent_reset_tokens(now, BATCH),
            "sessions": lambda r: r.remove_expired_sessions(now, idle_since, BATCH),
            "pending_registrations": lambda r: r.remove_expired_pending(now, BATCH),
            "guest_carts": lambda r: r.remove_old_guest_carts(now - timedelta(days=GUEST_CART_DAYS), BATCH),
            "idempotency_keys": lambda r: r.remove_old_idempotency_keys(
                now - timedelta(days=IDEMPOTENCY_KEY_DAYS), BATCH),
        }
        return {name: self._drain(job) for name, job in jobs.items()}

    def _drain(self, job: Callable[[CleanupRepository], int]) -> int:
        # One short transaction per batch: big deletes never hold locks for long.
        total = 0
        while True:
            with self.db.uow() as uow:
                removed = job(CleanupRepository(uow.conn))
                uow.commit()
            total += removed
            if removed < BATCH:
                return total
