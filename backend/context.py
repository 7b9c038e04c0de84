"""Who is asking: what routes hand to services instead of the Flask request."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    role: str | None = None
    ip: str = ""
    request_id: str = ""
    user_agent: str = ""
    session_id: int | None = None


SYSTEM = Actor(ip="127.0.0.1", request_id="cli")
