"""User accounts: profile, password change, addresses, roles (the password rules are in backend.passwords)."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from backend import errors
from backend.clock import iso
from backend.context import Actor
from backend.passwords import check_password, hash_password, password_problems
from backend.repositories.accounts import ADDRESS_FIELDS, AccountRepository
from backend.schemas.common import paged
from backend.services import audit
from backend.services.base import Service, found, held
from backend.services.sessions import SessionService

PUBLIC_USER_FIELDS = ("id", "email", "username", "full_name", "phone", "role", "created_at")


def check_new_password(password: str, username: str, email: str, field: str = "password") -> None:
    """Raises ValidationFailed naming field when the password breaks the rules."""
    problems = password_problems(password, username, email)
    if problems:
        raise errors.ValidationFailed(fields={field: problems})


def public_user(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in PUBLIC_USER_FIELDS}


def barred(user: dict[str, Any], now: datetime) -> errors.Forbidden | None:
    """The 403 for an account that may not be used now (inactive, or blocked until a later time); None if it may.
    Asked at every login and of every request's session."""
    if not user["is_active"]:
        return errors.Forbidden("This account is inactive.", code="account_inactive")
    if user["blocked_until"] is not None and user["blocked_until"] > now:
        return errors.Forbidden("This account is blocked.", code="account_blocked",
                                extra={"blocked_until": iso(user["blocked_until"])})
    return None


class AccountService(Service):
    def __init__(self, *args: Any, sessions: SessionService) -> None:
        super().__init__(*args)
        self.sessions = sessions

    def ensure_admin(self, email: str, password: str = "") -> str | None:
        """Create the admin account unless that email exists; returns a generated password, if one was made."""
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            if repo.get_user_by_email(email) is not None:
                return None
            generated = None if password else secrets.token_urlsafe(12)
            repo.add_user(email, "admin", hash_password(generated or password), "Administrator", "admin")
            uow.commit()
        return generated

    def get_profile(self, user_id: int) -> dict[str, Any]:
        """The user's own account; raises NotFound when it no longer exists."""
        with self.db.uow() as uow:
            row = found(AccountRepository(uow.conn).get_user(user_id), "No such user.")
        return public_user(row)

    def update_profile(self, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
        """Change username, full name or phone; raises Conflict when the username is taken."""
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            row = found(repo.get_user(actor.logged_in_id), "No such user.")
            merged = {k: changes.get(k, row[k]) for k in ("username", "full_name", "phone")}
            if merged["username"] != row["username"] and repo.exists_username(merged["username"], row["id"]):
                raise errors.Conflict("That username is taken.", fields={"username": ["That username is taken."]})
            repo.update_profile(row["id"], merged["username"], merged["full_name"], merged["phone"])
            if merged["username"] != row["username"]:
                audit.record(uow, actor, "account.username_changed", "user", row["id"],
                             {"from": row["username"], "to": merged["username"]})
            uow.commit()
        return {**public_user(row), **merged}

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Needs the current password (else ValidationFailed); ends every other session of the user."""
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            row = found(repo.get_user_with_password(actor.logged_in_id), "No such user.")
            # Both at once: a wrong current password and a weak new one are one answer, not two round trips.
            problems = {"new_password": password_problems(new, row["username"], row["email"])}
            if not check_password(current, row["password_hash"]):
                problems["current_password"] = ["The current password is wrong."]
            if any(problems.values()):
                raise errors.ValidationFailed(fields={k: v for k, v in problems.items() if v})
            repo.update_password(row["id"], hash_password(new))
            ended = self.sessions.end_all(uow, row["id"], actor.session_id)
            audit.record(uow, actor, "auth.password_changed", "user", row["id"], {"sessions_ended": ended})
            uow.commit()

    # ------------------------------------------------------------ addresses
    def list_addresses(self, user_id: int, page: int, per_page: int) -> dict[str, Any]:
        """The user's addresses, oldest first, paged."""
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            items = repo.list_addresses(user_id, per_page, (page - 1) * per_page)
            total = repo.count_addresses(user_id)
        return paged(items, page, per_page, total)

    def get_address(self, user_id: int, address_id: int) -> dict[str, Any]:
        """One own address; raises NotFound for another user's or an unknown one."""
        with self.db.uow() as uow:
            row = found(AccountRepository(uow.conn).get_address(address_id, user_id), "No such address.")
        return row

    def add_address(self, user_id: int, values: dict[str, str]) -> dict[str, Any]:
        """Store a new address for the user; returns it."""
        full = {f: values.get(f) or "" for f in ADDRESS_FIELDS}
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            address_id = repo.add_address(user_id, full)
            row = held(repo.get_address(address_id, user_id))
            uow.commit()
        return row

    def update_address(self, user_id: int, address_id: int, changes: dict[str, str]) -> dict[str, Any]:
        """Change some fields of an own address; raises NotFound for another user's."""
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            row = found(repo.get_address(address_id, user_id), "No such address.")
            merged = {f: changes[f] if changes.get(f) is not None else row[f] for f in ADDRESS_FIELDS}
            repo.update_address(address_id, user_id, merged)
            uow.commit()
        return {**row, **merged}

    def remove_address(self, user_id: int, address_id: int) -> None:
        """Delete an own address; raises NotFound for another user's."""
        with self.db.uow() as uow:
            if not AccountRepository(uow.conn).remove_address(address_id, user_id):
                raise errors.NotFound("No such address.")
            uow.commit()
