"""SQL for the search log (normalised terms only: no user, no IP) and the terms staff hid from trending."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

# One search.
ADD = "INSERT INTO search_log (term, created_at) VALUES (%s, %s)"
# The most searched terms since a moment, hidden ones left out. The range scan is covered by
# ix_search_recent (created_at, term); the hidden table is probed once per distinct term, not per search.
LIST_TRENDING = """
SELECT t.term, t.count FROM (
  SELECT term, COUNT(*) AS count FROM search_log WHERE created_at >= %s AND created_at <= %s GROUP BY term
) AS t
LEFT JOIN hidden_search_terms h ON h.term = t.term
WHERE h.term IS NULL
ORDER BY t.count DESC, t.term ASC LIMIT %s"""
# Hide a term; hiding it again changes nothing.
HIDE = "INSERT INTO hidden_search_terms (term, created_at) VALUES (%s, %s) ON DUPLICATE KEY UPDATE term = term"


class SearchRepository(Repository):
    def add_search(self, term: str, at: datetime) -> int:
        return self._insert(ADD, (term, at))

    def list_trending(self, since: datetime, until: datetime, limit: int) -> list[dict[str, Any]]:
        return self._all(LIST_TRENDING, (since, until, limit))

    def add_hidden_term(self, term: str, at: datetime) -> int:
        """Hide term from trending; returns 1 when it was newly hidden, 0 when it already was."""
        return self._change(HIDE, (term, at))
