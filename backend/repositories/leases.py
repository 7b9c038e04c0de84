"""SQL for job leases: a row per job that must run once across every process and host."""
from __future__ import annotations

from datetime import datetime

from backend.repositories import Repository

# Take the lease when it is free, expired or already ours; otherwise leave the holder's row as it is.
# (ON DUPLICATE KEY UPDATE assigns left to right: expires_at sees the owner just decided.) A write,
# so two Galera nodes taking it at once conflict at commit and only one commit stands.
TAKE = """
INSERT INTO job_leases (name, owner, expires_at) VALUES (%s, %s, %s)
ON DUPLICATE KEY UPDATE
  owner = IF(expires_at <= %s OR owner = VALUES(owner), VALUES(owner), owner),
  expires_at = IF(owner = VALUES(owner), VALUES(expires_at), expires_at)"""
GET_OWNER = "SELECT owner FROM job_leases WHERE name = %s"
# Freed by deleting the row: the next taker inserts it afresh, whatever its clock says.
RELEASE = "DELETE FROM job_leases WHERE name = %s AND owner = %s"


class LeaseRepository(Repository):
    def take(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """True when owner holds the lease until `until` (in the caller's transaction; commit to keep it)."""
        self._change(TAKE, (name, owner, until, now))
        return self._scalar(GET_OWNER, (name,)) == owner

    def release(self, name: str, owner: str) -> int:
        """End owner's lease (a no-op when another holds it)."""
        return self._change(RELEASE, (name, owner))
