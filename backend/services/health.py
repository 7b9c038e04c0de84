"""Is the shop able to serve: the database answers."""
from __future__ import annotations

from typing import Any

from backend.errors import DatabaseUnavailable
from backend.services.base import Service


class HealthService(Service):
    def check(self) -> dict[str, Any]:
        """Status with the database checked; raises DatabaseUnavailable when it does not answer.

        The check uses its own short-timeout connection, not the pool: while the database stalls
        and every pooled connection is stuck, health still answers (503) within about a second.
        """
        if not self.db.probe.alive():
            raise DatabaseUnavailable()
        return {"status": "ok", "database": "ok", "currency": self.settings.store_currency}
