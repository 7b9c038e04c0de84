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
    encoded = password.encode()
    # bcrypt 5 raises past 72 bytes. No stored password is longer (validation refuses it), so a longer
    # one is simply wrong; it still pays for one bcrypt check, keeping the answer's timing alike.
    matches = bcrypt.checkpw(encoded[:72], password_hash.encode())
    return matches and len(encoded) <= 72
