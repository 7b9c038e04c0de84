"""The current time, naive UTC, as the database stores it. Services take it as a callable so tests can move time."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with a Z suffix, as docs/api.md wants timestamps."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"
