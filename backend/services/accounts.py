"""User accounts."""
from __future__ import annotations

import secrets

from backend.passwords import hash_password
from backend.repositories.accounts import AccountRepository
from backend.services.base import Service


class AccountService(Service):
    def ensure_admin(self, email: str, password: str = "") -> str | None:
        """Create the admin account unless that email exists; returns a generated password, if one was made."""
        with self.db.uow() as uow:
            repo = AccountRepository(uow.conn)
            if repo.get_user_by_email(email) is not None:
                return None
            generated = None if password else secrets.token_urlsafe(12)
            repo.add_user(email, "admin", hash_password(password or generated), "Administrator", "admin")
            uow.commit()
        return generated
