"""SQL for user accounts."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository

USER_COLUMNS = ("id, email, username, full_name, phone, role, is_active, blocked_until, "
                "failed_logins, login_locked_until, last_login_at, created_at")
# Insert a user; returns the new id.
ADD_USER = """
INSERT INTO users (email, username, password_hash, full_name, role) VALUES (%s, %s, %s, %s, %s)"""
GET_BY_ID = f"SELECT {USER_COLUMNS} FROM users WHERE id = %s"
GET_BY_EMAIL = f"SELECT {USER_COLUMNS} FROM users WHERE email = %s"


class AccountRepository(Repository):
    def add_user(self, email: str, username: str, password_hash: str | None, full_name: str,
                 role: str = "customer") -> int:
        return self._insert(ADD_USER, (email, username, password_hash, full_name, role))

    def get_user(self, user_id: int) -> dict[str, Any] | None:
        return self._one(GET_BY_ID, (user_id,))

    def get_user_by_email(self, email: str) -> dict[str, Any] | None:
        return self._one(GET_BY_EMAIL, (email,))
