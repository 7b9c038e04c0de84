"""Retention: delete what has expired (audit events past retention, codes, tokens, sessions,
pending registrations, old guest carts, stale idempotency keys), on a schedule and from the CLI."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import timedelta

from backend.db import run_retrying
from backend.repositories.cleanup import CleanupRepository
from backend.repositories.leases import LeaseRepository
from backend.services.base import Service
from backend.services.sessions import idle_since

log = logging.getLogger("shopwright.cleanup")
BATCH = 5000
GUEST_CART_DAYS = 30
# A client retrying an order does so within minutes; a week is far beyond any retry.
IDEMPOTENCY_KEY_DAYS = 7
LEASE_NAME = "cleanup"
# Held by one process of one host at a time; a holder that dies frees it when this runs out.
LEASE = timedelta(minutes=10)


class CleanupService(Service):
    def run(self) -> dict[str, int] | None:
        """Delete every expired kind of row; the counts per kind, or None when another process or host runs it."""
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        if not run_retrying(lambda: self._take_lease(owner)):
            return None
        try:
            return self._run_all()
        finally:
            run_retrying(lambda: self._release_lease(owner))

    def _take_lease(self, owner: str) -> bool:
        now = self.now()
        with self.db.uow() as uow:
            taken = LeaseRepository(uow.conn).take(LEASE_NAME, owner, now, now + LEASE)
            uow.commit()
        return taken

    def _release_lease(self, owner: str) -> None:
        with self.db.uow() as uow:
            LeaseRepository(uow.conn).release(LEASE_NAME, owner)
            uow.commit()

    def run_scheduled(self) -> bool:
        """One scheduled pass, logged; returns False so the schedule waits a full interval before the next."""
        counts = self.run()
        log.info("cleanup: %s", counts if counts is not None else "skipped, running elsewhere")
        return False

    def _run_all(self) -> dict[str, int]:
        now = self.now()
        jobs: dict[str, Callable[[CleanupRepository], int]] = {
            "audit_events": lambda r: r.remove_old_audit(
                now - timedelta(days=self.settings.audit_retention_days), BATCH),
            "login_codes": lambda r: r.remove_spent_codes(now, BATCH),
            "reset_tokens": lambda r: r.remove_spent_reset_tokens(now, BATCH),
            "sessions": lambda r: r.remove_expired_sessions(now, idle_since(self.settings, now), BATCH),
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
            removed = run_retrying(lambda: self._batch(job))
            total += removed
            if removed < BATCH:
                return total

    def _batch(self, job: Callable[[CleanupRepository], int]) -> int:
        with self.db.uow() as uow:
            removed = job(CleanupRepository(uow.conn))
            uow.commit()
        return removed
