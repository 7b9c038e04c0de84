"""SQL for the admin area: managing user accounts and reading the audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository, like, placeholders

USER_COLUMNS = ("u.id, u.email, u.username, u.full_name, u.phone, u.role, u.is_active, u.blocked_until, "
                "u.last_login_at, u.anonymised_at, u.created_at")
# Filters for the user list; each is a fixed fragment with %s values, combined with AND.
USER_SEARCH = "(u.email LIKE %s OR u.username LIKE %s OR u.full_name LIKE %s)"
USER_ROLE = "u.role = %s"
# status -> fragment; the ones with a %s take the current time.
USER_STATUS = {
    "active": "(u.is_active = 1 AND (u.blocked_until IS NULL OR u.blocked_until <= %s))",
    "inactive": "u.is_active = 0",
    "blocked": "u.blocked_until > %s",
}
# A page of users matching the filters (the WHERE clause is built from the fragments above only).
LIST_USERS = f"SELECT {USER_COLUMNS} FROM users u WHERE {{where}} ORDER BY u.id DESC LIMIT %s OFFSET %s"
COUNT_USERS = "SELECT COUNT(*) FROM users u WHERE {where}"
# One user with how many orders they placed.
GET_USER = f"""
SELECT {USER_COLUMNS}, (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS order_count
FROM users u WHERE u.id = %s"""
# Users among ids, with their order counts (bulk actions decide per user).
LIST_USERS_BY_IDS = f"""
SELECT {USER_COLUMNS}, (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS order_count
FROM users u WHERE u.id IN ({{ids}})"""
UPDATE_ROLE = "UPDATE users SET role = %s WHERE id = %s AND role <> %s"
UPDATE_ACTIVE = "UPDATE users SET is_active = %s WHERE id = %s AND is_active <> %s"
UPDATE_BLOCKED = "UPDATE users SET blocked_until = %s WHERE id = %s AND NOT (blocked_until <=> %s)"
# Unblock only users whose block is still running (a past block is already over).
UNBLOCK = "UPDATE users SET blocked_until = NULL WHERE id = %s AND blocked_until > %s"
REMOVE_USER = "DELETE FROM users WHERE id = %s"
# Strip personal data but keep the row, so the user's orders keep their owner for accounting.
ANONYMISE = """
UPDATE users SET email = CONCAT('deleted-', id, '@anonymised.invalid'), username = CONCAT('deleted_', id),
       full_name = '', phone = '', password_hash = NULL, is_active = 0, blocked_until = NULL, anonymised_at = %s
WHERE id = %s AND anonymised_at IS NULL"""
# Personal rows hanging off an anonymised user.
REMOVE_ADDRESSES = "DELETE FROM addresses WHERE user_id = %s"
REMOVE_CART = "DELETE FROM carts WHERE user_id = %s"
REMOVE_SAVED = "DELETE FROM saved_items WHERE user_id = %s"
# Customers last seen (or created, when never logged in) before a cutoff, not yet anonymised.
LIST_INACTIVE_CUSTOMERS = """
SELECT u.id, (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS order_count
FROM users u
WHERE u.role = 'customer' AND u.anonymised_at IS NULL AND COALESCE(u.last_login_at, u.created_at) < %s
ORDER BY u.id LIMIT %s"""
ADD_USER = """
INSERT INTO users (email, username, password_hash, full_name, phone, role) VALUES (%s, %s, %s, %s, %s, %s)"""
EXISTS_LOGIN = "SELECT COUNT(*) FROM users WHERE email = %s OR username = %s"

AUDIT_COLUMNS = ("a.id, a.actor_id, u.username AS actor_username, a.action, a.target_type, a.target_id, "
                 "a.ip, a.request_id, a.details, a.created_at")
AUDIT_FILTERS = {"actor_id": "a.actor_id = %s", "action": "a.action = %s", "since": "a.created_at >= %s"}
# A page of audit events, newest first (the WHERE clause is built from AUDIT_FILTERS only).
LIST_AUDIT = f"""
SELECT {AUDIT_COLUMNS} FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE {{where}} ORDER BY a.id DESC LIMIT %s OFFSET %s"""
COUNT_AUDIT = "SELECT COUNT(*) FROM audit_log a WHERE {where}"


def _where(parts: list[str]) -> str:
    return " AND ".join(parts) or "1 = 1"


class AdminRepository(Repository):
    def _user_filters(self, q: str | None, role: str | None, status: str | None,
                      now: datetime) -> tuple[str, list[Any]]:
        parts: list[str] = []
        args: list[Any] = []
        if q:
            parts.append(USER_SEARCH)
            args += [like(q)] * 3
        if role:
            parts.append(USER_ROLE)
            args.append(role)
        if status:
            parts.append(USER_STATUS[status])
            args += [now] * USER_STATUS[status].count("%s")
        return _where(parts), args

    def list_users(self, q: str | None, role: str | None, status: str | None, now: datetime,
                   limit: int, offset: int) -> list[dict[str, Any]]:
        where, args = self._user_filters(q, role, status, now)
        return self._all(LIST_USERS.format(where=where), (*args, limit, offset))

    def count_users(self, q: str | None, role: str | None, status: str | None, now: datetime) -> int:
        where, args = self._user_filters(q, role, status, now)
        return int(self._scalar(COUNT_USERS.format(where=where), args))

    def get_user(self, user_id: int) -> dict[str, Any] | None:
        return self._one(GET_USER, (user_id,))

    def list_users_by_ids(self, user_ids: list[int]) -> list[dict[str, Any]]:
        if not user_ids:
            return []
        return self._all(LIST_USERS_BY_IDS.format(ids=placeholders(user_ids)), user_ids)

    def exists_login(self, email: str, username: str) -> bool:
        return bool(self._scalar(EXISTS_LOGIN, (email, username)))

    def add_user(self, email: str, username: str, password_hash: str, full_name: str, phone: str,
                 role: str) -> int:
        return self._insert(ADD_USER, (email, username, password_hash, full_name, phone, role))

    def update_role(self, user_id: int, role: str) -> int:
        return self._change(UPDATE_ROLE, (role, user_id, role))

    def update_active(self, user_id: int, active: bool) -> int:
        return self._change(UPDATE_ACTIVE, (int(active), user_id, int(active)))

    def update_blocked_until(self, user_id: int, blocked_until: datetime | None) -> int:
        return self._change(UPDATE_BLOCKED, (blocked_until, user_id, blocked_until))

    def update_unblock(self, user_id: int, now: datetime) -> int:
        return self._change(UNBLOCK, (user_id, now))

    def remove_user(self, user_id: int) -> int:
        return self._change(REMOVE_USER, (user_id,))

    def update_anonymise(self, user_id: int, now: datetime) -> int:
        """Strip the user's personal data and their addresses, cart and saved items; rows changed."""
        changed = self._change(ANONYMISE, (now, user_id))
        if changed:
            for sql in (REMOVE_ADDRESSES, REMOVE_CART, REMOVE_SAVED):
                self._change(sql, (user_id,))
        return changed

    def list_inactive_customers(self, cutoff: datetime, limit: int) -> list[dict[str, Any]]:
        return self._all(LIST_INACTIVE_CUSTOMERS, (cutoff, limit))

    def _audit_filters(self, filters: dict[str, Any]) -> tuple[str, list[Any]]:
        names = [name for name in AUDIT_FILTERS if filters.get(name) is not None]
        return _where([AUDIT_FILTERS[n] for n in names]), [filters[n] for n in names]

    def list_audit(self, filters: dict[str, Any], limit: int, offset: int) -> list[dict[str, Any]]:
        where, args = self._audit_filters(filters)
        return self._all(LIST_AUDIT.format(where=where), (*args, limit, offset))

    def count_audit(self, filters: dict[str, Any]) -> int:
        where, args = self._audit_filters(filters)
        return int(self._scalar(COUNT_AUDIT.format(where=where), args))
