"""Who is asking: what routes hand to services instead of the Flask request."""
from __future__ import annotations

from dataclasses import dataclass

from backend import errors


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    role: str | None = None
    ip: str = ""
    request_id: str = ""
    user_agent: str = ""
    session_id: int | None = None

    @property
    def logged_in_id(self) -> int:
        """user_id of an actor the route's guard required a login of (Unauthorized when there is none)."""
        if self.user_id is None:
            raise errors.Unauthorized()
        return self.user_id


SYSTEM = Actor(ip="127.0.0.1", request_id="cli")
