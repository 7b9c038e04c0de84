"""Password hashing with bcrypt."""
from __future__ import annotations

import bcrypt

# bcrypt reads only the first 72 bytes; longer passwords are refused at validation.
ROUNDS = 12


def hash_password(password: str, rounds: int = ROUNDS) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        return False
    return bcrypt.checkpw(password.encode(), password_hash.encode())
