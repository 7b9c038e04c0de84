"""Random tokens and codes, and the one way they are hashed for storage."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """An opaque URL-safe random token (256 bits)."""
    return secrets.token_urlsafe(32)


def new_code(digits: int = 6) -> str:
    """A random numeric code such as an emailed 6-digit verification code."""
    return f"{secrets.randbelow(10 ** digits):0{digits}d}"


def hash_token(token: str) -> str:
    """SHA-256 hex: tokens are high-entropy, so a fast hash is enough to keep them unusable at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_hash(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
