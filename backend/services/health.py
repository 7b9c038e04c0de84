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
        # Which database node this process uses (DB_HOSTS fails over), and the Galera cluster's size
        # as that node sees it (null on a single server).
        return {"status": "ok", "database": "ok", "currency": self.settings.store_currency,
                "database_node": self.db.nodes.current, "cluster_size": self.db.probe.cluster_size}
