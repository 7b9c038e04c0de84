"""The search log and trending searches. Only the normalised term is kept: no user, no IP."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from backend.repositories.search import SearchRepository
from backend.services.base import Service

TERM_MAX = 100
TRENDING_DAYS = 7
_SPACES = re.compile(r"\s+")
# Terms that look like personal data (an email address, a phone or card number) are not logged.
_PERSONAL = re.compile(r"@|\d[\d -]{5,}\d")


def normalise_term(q: str | None) -> str:
    """Lowercase, trimmed, inner spaces collapsed, at most 100 characters ('' for nothing)."""
    return _SPACES.sub(" ", (q or "").strip().lower())[:TERM_MAX].strip()


def log_search(conn, q: str | None, now: datetime) -> bool:
    """Log one search inside the caller's unit of work; False when there is nothing fit to log."""
    term = normalise_term(q)
    if not term or _PERSONAL.search(term):
        return False
    SearchRepository(conn).add_search(term, now)
    return True


class SearchService(Service):
    def trending(self, limit: int = 10) -> list[dict[str, Any]]:
        """The most searched terms of the last 7 days, most searched first."""
        now = self.now()
        with self.db.uow() as uow:
            rows = SearchRepository(uow.conn).list_trending(now - timedelta(days=TRENDING_DAYS), now, limit)
        return [{"term": r["term"], "count": int(r["count"])} for r in rows]
