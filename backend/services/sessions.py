"""Server-side sessions: start, resolve, list and end them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.config import Settings
from backend.db import UnitOfWork
from backend.repositories.sessions import SessionRepository
from backend.schemas.common import paged
from backend.services.base import Service
from backend.tokens import hash_token, new_token, same_hash

# Writing last_seen_at on every request would turn every read into a write; a minute's slack is
# far below the idle timeout.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class NewSession:
    id: int
    token: str
    csrf_token: str


def idle_since(settings: Settings, now: datetime) -> datetime:
    """A session last seen at or before this has timed out."""
    return now - timedelta(minutes=settings.session_idle_minutes)


class SessionService(Service):
    def start(self, uow: UnitOfWork, user_id: int, ip: str, user_agent: str) -> NewSession:
        """Open a session inside the caller's unit of work, ending the oldest beyond the per-user limit."""
        repo = SessionRepository(uow.conn)
        now = self.now()
        token, csrf = new_token(), new_token()
        expires = now + timedelta(days=self.settings.session_max_days)
        session_id = repo.add_session(user_id, hash_token(token), hash_token(csrf), ip[:45],
                                      user_agent[:255], now, expires)
        ids = repo.list_ids_oldest_first(user_id)
        for old_id in ids[: max(0, len(ids) - self.settings.max_sessions_per_user)]:
            self.end(uow, user_id, old_id)
        return NewSession(session_id, token, csrf)

    def resolve(self, token: str) -> dict[str, Any] | None:
        """The live session and its user for a token, or None; refreshes last_seen_at now and then."""
        if not token or len(token) > 200:
            return None
        now = self.now()
        with self.db.uow() as uow:
            repo = SessionRepository(uow.conn)
            row = repo.get_live(hash_token(token), now, idle_since(self.settings, now))
            if row and now - row["last_seen_at"] >= TOUCH_EVERY:
                repo.update_last_seen(row["session_id"], now)
                uow.commit()
        return row

    @staticmethod
    def csrf_ok(session: dict[str, Any], csrf_token: str | None) -> bool:
        return bool(csrf_token and same_hash(csrf_token, session["csrf_hash"]))

    def list_for_user(self, user_id: int, current_session_id: int | None, page: int, per_page: int) -> dict[str, Any]:
        """A page of the user's live sessions, newest first, marking the one asking."""
        now = self.now()
        with self.db.uow() as uow:
            rows = SessionRepository(uow.conn).list_for_user(user_id, now, idle_since(self.settings, now))
        # Paged here rather than in SQL: a user has at most max_sessions_per_user, and one read gives the total.
        start = (page - 1) * per_page
        items = [{**row, "current": row["id"] == current_session_id} for row in rows[start:start + per_page]]
        return paged(items, page, per_page, len(rows))

    # Ending sessions happens inside the caller's unit of work, so it commits (or not) with what caused it.
    # Expired sessions are deleted in batches by CleanupService.
    def end(self, uow: UnitOfWork, user_id: int, session_id: int) -> bool:
        """End one of the user's sessions; False when it is another user's, unknown or already ended."""
        return SessionRepository(uow.conn).remove_session(session_id, user_id) > 0

    def end_all(self, uow: UnitOfWork, user_id: int, keep_id: int | None = None) -> int:
        """End every session of a user (but keep_id); returns how many."""
        return SessionRepository(uow.conn).remove_all_for_user(user_id, keep_id)
