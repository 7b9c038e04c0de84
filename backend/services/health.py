"""Is the shop able to serve: the database answers."""
from __future__ import annotations

from typing import Any

from backend.services.base import Service


class HealthService(Service):
    def check(self) -> dict[str, Any]:
        """Status with the database checked; raises DatabaseUnavailable when it does not answer."""
        self.db.ping()
        return {"status": "ok", "database": "ok", "currency": self.settings.store_currency}
