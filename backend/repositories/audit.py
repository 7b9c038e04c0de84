"""SQL for the audit log."""
from __future__ import annotations

from backend.repositories import Repository

# One event row. The actor is looked up, not trusted: an event by an account that no longer exists (a restore
# of a backup taken before the admin who restores it existed) is kept with no actor instead of failing.
ADD_EVENT = """
INSERT INTO audit_log (actor_id, action, target_type, target_id, ip, request_id, details)
SELECT (SELECT id FROM users WHERE id = %s), %s, %s, %s, %s, %s, %s"""


class AuditRepository(Repository):
    def add_event(self, actor_id: int | None, action: str, target_type: str, target_id: str,
                  ip: str, request_id: str, details: str | None) -> int:
        # Columns are bounded; a long file name as target must not make the audited change fail.
        return self._insert(ADD_EVENT, (actor_id, action[:64], target_type[:32], target_id[:64], ip[:45],
                                        request_id[:64], details))
