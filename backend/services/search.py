"""The search log and trending searches. Only the normalised term is kept: no user, no IP.

Trending terms are shown to every visitor, so only plain searches that found products are logged
(at most TRENDING_WORDS words of letters, digits and hyphens): pasted junk and attack strings never
reach the log, and staff can hide any term that still should not be offered.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import Connection
from backend.repositories.search import SearchRepository
from backend.services import audit
from backend.services.base import Service

TERM_MAX = 100
TRENDING_DAYS = 7
TRENDING_WORDS = 4
# Rows logged before the shape rule are filtered again when listed; a few spare rows keep the list full.
TRENDING_SPARE = 20
_SPACES = re.compile(r"\s+")
# Terms that look like personal data (an email address, a phone or card number) are not logged.
_PERSONAL = re.compile(r"@|\d[\d -]{5,}\d")


def _collapsed(q: str | None) -> str:
    """Lowercase, trimmed, inner spaces collapsed ('' for nothing)."""
    return _SPACES.sub(" ", (q or "").strip().lower())


def _plain_word(word: str) -> bool:
    # Letters of any script (with their combining marks), digits and hyphens, and not hyphens alone.
    kinds = [unicodedata.category(c)[0] if c != "-" else "-" for c in word]
    return all(k in "LMN-" for k in kinds) and any(k in "LN" for k in kinds)


def trending_term(q: str | None) -> str | None:
    """The normalised term when it may be offered to every visitor, else None (junk, too long, personal)."""
    term = _collapsed(q)
    words = term.split(" ")
    if not term or len(term) > TERM_MAX or len(words) > TRENDING_WORDS or _PERSONAL.search(term):
        return None
    return term if all(_plain_word(w) for w in words) else None


def log_search(conn: Connection, q: str | None, now: datetime) -> bool:
    """Log one search that found products, inside the caller's unit of work; False when it is not fit to log."""
    term = trending_term(q)
    if term is None:
        return False
    SearchRepository(conn).add_search(term, now)
    return True


class SearchService(Service):
    def trending(self, limit: int = 10) -> list[dict[str, Any]]:
        """The most searched terms of the last TRENDING_DAYS days that are fit to show, most searched first."""
        now = self.now()
        with self.db.uow() as uow:
            rows = SearchRepository(uow.conn).list_trending(now - timedelta(days=TRENDING_DAYS), now,
                                                           limit + TRENDING_SPARE)
        fit = [{"term": r["term"], "count": int(r["count"])} for r in rows if trending_term(r["term"]) == r["term"]]
        return fit[:limit]

    def hide_term(self, actor: Actor, term: str) -> str:
        """Never list term (normalised) in trending again (audited); returns it. Raises ValidationFailed."""
        normalised = _collapsed(term)
        if not normalised or len(normalised) > TERM_MAX:
            raise errors.ValidationFailed(fields={"term": [f"Give the term to hide, at most {TERM_MAX} characters."]})
        with self.db.uow() as uow:
            SearchRepository(uow.conn).add_hidden_term(normalised, self.now())
            audit.record(uow, actor, "search.term_hidden", "search_term", details={"term": normalised})
            uow.commit()
        return normalised
