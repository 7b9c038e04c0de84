"""Passwords: the rules a new one must meet, and hashing with bcrypt."""
from __future__ import annotations

from functools import cache

import bcrypt

from backend.config import ROOT

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


MIN_PASSWORD = 10
# bcrypt reads only the first 72 bytes; longer passwords would be silently cut.
MAX_PASSWORD_BYTES = 72


@cache
def common_passwords() -> frozenset[str]:
    path = ROOT / "backend" / "data" / "common_passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text().splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problems(password: str, username: str, email: str) -> list[str]:
    """Why a new password is refused (empty when it is acceptable). Pure, so a schema can run it too."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"Use at least {MIN_PASSWORD} characters.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        problems.append(f"Use at most {MAX_PASSWORD_BYTES} bytes.")
    lowered = password.strip().lower()
    if lowered in {name for name in (username.lower(), email.lower(), email.split("@")[0].lower()) if name}:
        problems.append("The password must not be your username or email.")
    if lowered in common_passwords():
        problems.append("This password is too common; choose another.")
    return problems
