"""SQL for user accounts: users and their addresses."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

USER_COLUMNS = ("id, email, username, full_name, phone, role, is_active, blocked_until, "
                "failed_logins, login_locked_until, last_login_at, created_at")
# Insert a user; returns the new id.
ADD_USER = """
INSERT INTO users (email, username, password_hash, full_name, role) VALUES (%s, %s, %s, %s, %s)"""
GET_BY_ID = f"SELECT {USER_COLUMNS} FROM users WHERE id = %s"
GET_BY_EMAIL = f"SELECT {USER_COLUMNS} FROM users WHERE email = %s"
# A user by email or username, with the password hash (read without a lock: the login hashes next, in no
# transaction, and then locks the row by id with GET_WITH_PASSWORD).
GET_FOR_LOGIN = f"""
SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = %s OR username = %s LIMIT 1"""
# A user with the password hash, row-locked (a login's failure counters, a password change or reset).
GET_WITH_PASSWORD = f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE id = %s FOR UPDATE"
EXISTS_USERNAME = "SELECT 1 FROM users WHERE username = %s AND id <> %s LIMIT 1"
EXISTS_EMAIL_OR_USERNAME = "SELECT 1 FROM users WHERE email = %s OR username = %s LIMIT 1"
# Profile fields; the caller passes every one (unchanged ones with their old value).
UPDATE_PROFILE = "UPDATE users SET username = %s, full_name = %s, phone = %s WHERE id = %s"
UPDATE_PASSWORD = """
UPDATE users SET password_hash = %s, failed_logins = 0, login_locked_until = NULL WHERE id = %s"""
# A failed password login: count it, and lock password login once the limit is reached. The lock
# is assigned first so it reads the old count on both engines (MySQL assigns left to right).
RECORD_FAILURE = """
UPDATE users SET login_locked_until = IF(failed_logins + 1 >= %s, %s, login_locked_until),
       failed_logins = failed_logins + 1
WHERE id = %s"""
# A successful login clears the failure counter and an expired block.
RECORD_LOGIN = """
UPDATE users SET failed_logins = 0, login_locked_until = NULL, last_login_at = %s,
       blocked_until = IF(blocked_until <= %s, NULL, blocked_until)
WHERE id = %s"""

ADDRESS_COLUMNS = "id, full_name, line1, line2, city, postal_code, country, phone, created_at"
ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")
ADD_ADDRESS = """
INSERT INTO addresses (user_id, full_name, line1, line2, city, postal_code, country, phone)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"""
# Only the owner's address: another user's id reads as missing.
GET_ADDRESS = f"SELECT {ADDRESS_COLUMNS} FROM addresses WHERE id = %s AND user_id = %s"
LIST_ADDRESSES = f"SELECT {ADDRESS_COLUMNS} FROM addresses WHERE user_id = %s ORDER BY id LIMIT %s OFFSET %s"
COUNT_ADDRESSES = "SELECT COUNT(*) FROM addresses WHERE user_id = %s"
UPDATE_ADDRESS = """
UPDATE addresses SET full_name = %s, line1 = %s, line2 = %s, city = %s, postal_code = %s, country = %s,
       phone = %s WHERE id = %s AND user_id = %s"""
REMOVE_ADDRESS = "DELETE FROM addresses WHERE id = %s AND user_id = %s"


class AccountRepository(Repository):
    def add_user(self, email: str, username: str, password_hash: str | None, full_name: str,
                 role: str = "customer") -> int:
        return self._insert(ADD_USER, (email, username, password_hash, full_name, role))

    def get_user(self, user_id: int) -> dict[str, Any] | None:
        return self._one(GET_BY_ID, (user_id,))

    def get_user_by_email(self, email: str) -> dict[str, Any] | None:
        return self._one(GET_BY_EMAIL, (email,))

    def get_user_for_login(self, login: str) -> dict[str, Any] | None:
        """The user whose email or username is login, with password_hash (not locked)."""
        return self._one(GET_FOR_LOGIN, (login, login))

    def get_user_with_password(self, user_id: int) -> dict[str, Any] | None:
        return self._one(GET_WITH_PASSWORD, (user_id,))

    def exists_username(self, username: str, except_id: int = 0) -> bool:
        return self._scalar(EXISTS_USERNAME, (username, except_id)) is not None

    def exists_email_or_username(self, email: str, username: str) -> bool:
        return self._scalar(EXISTS_EMAIL_OR_USERNAME, (email, username)) is not None

    def update_profile(self, user_id: int, username: str, full_name: str, phone: str) -> int:
        return self._change(UPDATE_PROFILE, (username, full_name, phone, user_id))

    def update_password(self, user_id: int, password_hash: str) -> int:
        return self._change(UPDATE_PASSWORD, (password_hash, user_id))

    def update_failed_login(self, user_id: int, lock_after: int, locked_until: datetime) -> int:
        """Count a failure; from the lock_after-th one on, password login is locked until locked_until."""
        return self._change(RECORD_FAILURE, (lock_after, locked_until, user_id))

    def update_logged_in(self, user_id: int, now: datetime) -> int:
        return self._change(RECORD_LOGIN, (now, now, user_id))

    def add_address(self, user_id: int, values: dict[str, str]) -> int:
        return self._insert(ADD_ADDRESS, (user_id, *(values[f] for f in ADDRESS_FIELDS)))

    def get_address(self, address_id: int, user_id: int) -> dict[str, Any] | None:
        return self._one(GET_ADDRESS, (address_id, user_id))

    def list_addresses(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_ADDRESSES, (user_id, limit, offset))

    def count_addresses(self, user_id: int) -> int:
        return int(self._scalar(COUNT_ADDRESSES, (user_id,)) or 0)

    def update_address(self, address_id: int, user_id: int, values: dict[str, str]) -> int:
        return self._change(UPDATE_ADDRESS, (*(values[f] for f in ADDRESS_FIELDS), address_id, user_id))

    def remove_address(self, address_id: int, user_id: int) -> int:
        return self._change(REMOVE_ADDRESS, (address_id, user_id))
