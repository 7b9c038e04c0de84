"""Admin use cases: manage user accounts (one by one and in bulk), purge, test email, the audit log."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import UnitOfWork
from backend.passwords import hash_password
from backend.repositories.admin import AdminRepository
from backend.repositories.mail import MailRepository
from backend.schemas.common import paged
from backend.services.audit import record
from backend.services.base import Service, found
from backend.services.sessions import SessionService

# Actions an admin may not aim at their own account: they would lock themselves out.
_SELF_HARM = {"deactivate", "block", "delete"}
PURGE_BATCH = 1000


class AdminService(Service):
    def __init__(self, *args: Any, sessions: SessionService) -> None:
        super().__init__(*args)
        self.sessions = sessions

    # ------------------------------------------------------------------ users
    def list_users(self, q: str | None, role: str | None, status: str | None, page: int,
                   per_page: int) -> dict[str, Any]:
        """A page of users matching search text, role and status, newest first."""
        now = self.now()
        with self.db.uow() as uow:
            repo = AdminRepository(uow.conn)
            rows = repo.list_users(q, role, status, now, per_page, (page - 1) * per_page)
            total = repo.count_users(q, role, status, now)
        return paged([self._present(r, now) for r in rows], page, per_page, total)

    def get_user(self, user_id: int) -> dict[str, Any]:
        """One user with their order count; raises NotFound."""
        with self.db.uow() as uow:
            return self._present(self._load(AdminRepository(uow.conn), user_id), self.now())

    def create_user(self, actor: Actor, fields: dict[str, Any]) -> dict[str, Any]:
        """Add an account with a role; raises Conflict when the email or username is taken."""
        with self.db.uow() as uow:
            repo = AdminRepository(uow.conn)
            if repo.exists_login(fields["email"], fields["username"]):
                raise errors.Conflict("That email or username is already taken.", code="duplicate")
            user_id = repo.add_user(fields["email"], fields["username"], hash_password(fields["password"]),
                                    fields.get("full_name", ""), fields.get("phone", ""), fields["role"])
            record(uow, actor, "user.create", "user", user_id, {"role": fields["role"]})
            uow.commit()
        return self.get_user(user_id)

    def update_user(self, actor: Actor, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change role, is_active and blocked_until; raises NotFound, Conflict (own account), ValidationFailed."""
        now = self.now()
        self._check_block_date(changes, now)
        with self.db.uow() as uow:
            repo = AdminRepository(uow.conn)
            user = self._load(repo, user_id)
            self._refuse_self_harm(actor, user, changes, now)
            done = self._apply_changes(uow, actor, repo, user, changes, now)
            if done and (changes.get("is_active") is False or self._blocks(changes, now)):
                self.sessions.end_all(uow, user_id)
            uow.commit()
        return self.get_user(user_id)

    def delete_user(self, actor: Actor, user_id: int) -> str:
        """Delete a user, or anonymise one who has orders; returns which; raises NotFound, Conflict."""
        with self.db.uow() as uow:
            repo = AdminRepository(uow.conn)
            user = self._load(repo, user_id)
            if user["id"] == actor.user_id:
                raise errors.Conflict("You cannot delete your own account.", code="self_action")
            outcome = self._erase(repo, user, self.now())
            record(uow, actor, f"user.{outcome}", "user", user_id)
            uow.commit()
        return outcome

    def bulk(self, actor: Actor, action: str, user_ids: list[int], blocked_until: datetime | None) -> int:
        """Apply one action to many users; returns rows changed; raises Conflict, ValidationFailed."""
        now = self.now()
        ids = sorted(set(user_ids))
        if action in _SELF_HARM and actor.user_id in ids:
            raise errors.Conflict("You cannot do that to your own account.", code="self_action")
        if action == "block":
            if blocked_until is None:
                raise errors.ValidationFailed(fields={"blocked_until": ["Required to block."]})
            self._check_block_date({"blocked_until": blocked_until}, now)
        with self.db.uow() as uow:
            repo = AdminRepository(uow.conn)
            affected = sum(self._bulk_one(uow, repo, action, user, blocked_until, now)
                           for user in repo.list_users_by_ids(ids))
            record(uow, actor, f"users.bulk_{action}", "user", "", {"user_ids": ids, "affected": affected})
            uow.commit()
        return affected

    def purge_inactive(self, actor: Actor, inactive_days: int) -> dict[str, int]:
        """Remove customers not seen for inactive_days: deleted, or anonymised when they have orders."""
        now = self.now()
        cutoff = now - timedelta(days=inactive_days)
        counts = {"deleted": 0, "anonymised": 0}
        while True:
            with self.db.uow() as uow:
                repo = AdminRepository(uow.conn)
                batch = repo.list_inactive_customers(cutoff, PURGE_BATCH)
                for user in batch:
                    outcome = self._erase(repo, user, now)
                    counts["deleted" if outcome == "delete" else "anonymised"] += 1
                uow.commit()
            if len(batch) < PURGE_BATCH:
                break
        with self.db.uow() as uow:
            record(uow, actor, "users.purge_inactive", "user", "", {"inactive_days": inactive_days, **counts})
            uow.commit()
        return counts

    # ------------------------------------------------------------------ mail and audit
    def send_test_mail(self, actor: Actor, to_addr: str) -> int:
        """Queue a test message in the outbox; returns its id."""
        with self.db.uow() as uow:
            message_id = MailRepository(uow.conn).add_message(
                to_addr, "Shopwright test message",
                "This is a test message from the Shopwright admin panel. Mail delivery works.")
            record(uow, actor, "mail.test", "email", message_id, {"to": to_addr})
            uow.commit()
        return message_id

    def list_audit(self, filters: dict[str, Any], page: int, per_page: int) -> dict[str, Any]:
        """A page of audit events, newest first, filtered by actor_id, action and since."""
        with self.db.uow() as uow:
            repo = AdminRepository(uow.conn)
            rows = repo.list_audit(filters, per_page, (page - 1) * per_page)
            total = repo.count_audit(filters)
        for row in rows:
            row["details"] = json.loads(row["details"]) if row["details"] else None
        return paged(rows, page, per_page, total)

    def record_error(self, actor: Actor, error_type: str, method: str, path: str) -> None:
        """An audit event for an unexpected server error (the type and path only: messages may hold data)."""
        with self.db.uow() as uow:
            record(uow, actor, "server.error", "request", actor.request_id,
                   {"error": error_type, "method": method, "path": path[:200]})
            uow.commit()

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _load(repo: AdminRepository, user_id: int) -> dict[str, Any]:
        user = found(repo.get_user(user_id), "No such user.")
        return user

    @staticmethod
    def _present(row: dict[str, Any], now: datetime) -> dict[str, Any]:
        blocked = row["blocked_until"] is not None and row["blocked_until"] > now
        status = "anonymised" if row["anonymised_at"] else "inactive" if not row["is_active"] else \
            "blocked" if blocked else "active"
        return {**row, "is_active": bool(row["is_active"]), "status": status}

    @staticmethod
    def _blocks(changes: dict[str, Any], now: datetime) -> bool:
        until = changes.get("blocked_until")
        return until is not None and until > now

    @staticmethod
    def _check_block_date(changes: dict[str, Any], now: datetime) -> None:
        until = changes.get("blocked_until")
        if until is not None and until <= now:
            raise errors.ValidationFailed(fields={"blocked_until": ["Must be in the future (null unblocks)."]})

    @staticmethod
    def _refuse_self_harm(actor: Actor, user: dict[str, Any], changes: dict[str, Any], now: datetime) -> None:
        if user["id"] != actor.user_id:
            return
        demoted = "role" in changes and changes["role"] != user["role"]
        if demoted or changes.get("is_active") is False or AdminService._blocks(changes, now):
            raise errors.Conflict("You cannot deactivate, block or demote your own account.", code="self_action")

    @staticmethod
    def _apply_changes(uow: UnitOfWork, actor: Actor, repo: AdminRepository, user: dict[str, Any],
                       changes: dict[str, Any], now: datetime) -> int:
        done = 0
        if "role" in changes and repo.update_role(user["id"], changes["role"]):
            record(uow, actor, "user.role_change", "user", user["id"], {"from": user["role"], "to": changes["role"]})
            done += 1
        if "is_active" in changes and repo.update_active(user["id"], changes["is_active"]):
            record(uow, actor, "user.activate" if changes["is_active"] else "user.deactivate", "user", user["id"])
            done += 1
        if "blocked_until" in changes and repo.update_blocked_until(user["id"], changes["blocked_until"]):
            until = changes["blocked_until"]
            record(uow, actor, "user.block" if until else "user.unblock", "user", user["id"],
                   {"blocked_until": until} if until else None)
            done += 1
        return done

    @staticmethod
    def _erase(repo: AdminRepository, user: dict[str, Any], now: datetime) -> str:
        # Orders keep their owner (for the customer's history and accounting), minus the personal data.
        if user["order_count"]:
            repo.update_anonymise(user["id"], now)
            return "anonymise"
        repo.remove_user(user["id"])
        return "delete"

    def _bulk_one(self, uow: UnitOfWork, repo: AdminRepository, action: str, user: dict[str, Any],
                  blocked_until: datetime | None, now: datetime) -> int:
        user_id = user["id"]
        if action == "activate":
            return repo.update_active(user_id, True)
        if action == "deactivate":
            changed = repo.update_active(user_id, False)
        elif action == "block":
            changed = repo.update_blocked_until(user_id, blocked_until)
        elif action == "unblock":
            return repo.update_unblock(user_id, now)
        else:
            if user["anonymised_at"] and user["order_count"]:
                return 0
            self._erase(repo, user, now)
            return 1
        # A deactivated or blocked user is logged out everywhere at once.
        self.sessions.end_all(uow, user_id)
        return changed
