"""The audit trail: who did what, from where, when."""
from __future__ import annotations

import json
from typing import Any

from backend.context import Actor
from backend.db import UnitOfWork
from backend.repositories.audit import AuditRepository


def record(uow: UnitOfWork, actor: Actor, action: str, target_type: str = "", target_id: Any = "",
           details: dict[str, Any] | None = None, actor_id: int | None = None) -> int:
    """Write one event inside the caller's unit of work, so it commits or rolls back with the change.

    actor_id overrides actor.user_id (a failed login names the account tried, not a logged-in actor).
    Never put secrets (passwords, tokens, codes, card numbers) in details.
    """
    return AuditRepository(uow.conn).add_event(
        actor_id if actor_id is not None else actor.user_id, action, target_type,
        "" if target_id is None else str(target_id), actor.ip, actor.request_id,
        json.dumps(details, default=str, sort_keys=True) if details else None)
