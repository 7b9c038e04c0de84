"""SQL for server-side sessions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

# Insert a session; returns its id.
ADD_SESSION = """
INSERT INTO sessions (user_id, token_hash, csrf_hash, ip, user_agent, created_at, last_seen_at, expires_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"""
# A live session with its user, by token hash (idle and absolute limits applied by the caller's times).
GET_LIVE = """
SELECT s.id AS session_id, s.csrf_hash, s.last_seen_at, s.expires_at, u.id, u.email, u.username,
       u.full_name, u.phone, u.role, u.is_active, u.blocked_until, u.created_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = %s AND s.expires_at > %s AND s.last_seen_at > %s"""
# Mark a session as used now.
TOUCH = "UPDATE sessions SET last_seen_at = %s WHERE id = %s"
# A user's sessions, newest first.
LIST_FOR_USER = """
SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions
WHERE user_id = %s AND expires_at > %s AND last_seen_at > %s ORDER BY created_at DESC, id DESC"""
# Ids of a user's sessions, oldest first (to end the oldest beyond the limit).
LIST_IDS_OLDEST_FIRST = "SELECT id FROM sessions WHERE user_id = %s ORDER BY created_at, id"
REMOVE_ONE = "DELETE FROM sessions WHERE id = %s AND user_id = %s"
REMOVE_ALL = "DELETE FROM sessions WHERE user_id = %s"
REMOVE_ALL_BUT = "DELETE FROM sessions WHERE user_id = %s AND id <> %s"


class SessionRepository(Repository):
    def add_session(self, user_id: int, token_hash: str, csrf_hash: str, ip: str, user_agent: str,
                    now: datetime, expires_at: datetime) -> int:
        return self._insert(ADD_SESSION, (user_id, token_hash, csrf_hash, ip, user_agent, now, now, expires_at))

    def get_live(self, token_hash: str, now: datetime, idle_since: datetime) -> dict[str, Any] | None:
        return self._one(GET_LIVE, (token_hash, now, idle_since))

    def update_last_seen(self, session_id: int, now: datetime) -> int:
        return self._change(TOUCH, (now, session_id))

    def list_for_user(self, user_id: int, now: datetime, idle_since: datetime) -> list[dict[str, Any]]:
        return self._all(LIST_FOR_USER, (user_id, now, idle_since))

    def list_ids_oldest_first(self, user_id: int) -> list[int]:
        return [row["id"] for row in self._all(LIST_IDS_OLDEST_FIRST, (user_id,))]

    def remove_session(self, session_id: int, user_id: int) -> int:
        return self._change(REMOVE_ONE, (session_id, user_id))

    def remove_all_for_user(self, user_id: int, keep_id: int | None = None) -> int:
        if keep_id is None:
            return self._change(REMOVE_ALL, (user_id,))
        return self._change(REMOVE_ALL_BUT, (user_id, keep_id))
