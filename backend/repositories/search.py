"""SQL for the search log (normalised terms only: no user, no IP)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

# One search.
ADD = "INSERT INTO search_log (term, created_at) VALUES (%s, %s)"
# The most searched terms since a moment (covered by ix_search_recent (created_at, term)).
LIST_TRENDING = """
SELECT term, COUNT(*) AS count FROM search_log WHERE created_at >= %s AND created_at <= %s
GROUP BY term ORDER BY count DESC, term ASC LIMIT %s"""


class SearchRepository(Repository):
    def add_search(self, term: str, at: datetime) -> int:
        return self._insert(ADD, (term, at))

    def list_trending(self, since: datetime, until: datetime, limit: int) -> list[dict[str, Any]]:
        return self._all(LIST_TRENDING, (since, until, limit))
