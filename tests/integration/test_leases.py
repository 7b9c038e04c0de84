"""Job leases: one holder at a time across processes and hosts, until the lease runs out."""
from __future__ import annotations

from datetime import timedelta

from backend.clock import utcnow
from backend.repositories.leases import LeaseRepository
from backend.services.cleanup import LEASE_NAME
from tests.conftest import uid


def _take(db, name: str, owner: str, now, minutes: int = 10) -> bool:
    with db.uow() as uow:
        taken = LeaseRepository(uow.conn).take(name, owner, now, now + timedelta(minutes=minutes))
        uow.commit()
    return taken


def _release(db, name: str, owner: str) -> None:
    with db.uow() as uow:
        LeaseRepository(uow.conn).release(name, owner)
        uow.commit()


def test_the_lease_excludes_a_second_holder_until_it_expires(db):
    name, now = f"job-{uid()}", utcnow()
    assert _take(db, name, "a", now)
    assert not _take(db, name, "b", now + timedelta(minutes=9))
    assert _take(db, name, "a", now + timedelta(minutes=1))  # the holder renews
    assert not _take(db, name, "b", now + timedelta(minutes=10))  # renewed until minute 11
    assert _take(db, name, "b", now + timedelta(minutes=11))  # expired: b takes it over
    _release(db, name, "a")  # a no longer holds it: its release changes nothing
    assert not _take(db, name, "a", now + timedelta(minutes=12))
    _release(db, name, "b")
    assert _take(db, name, "a", now + timedelta(minutes=12))
    _release(db, name, "a")


def test_cleanup_is_skipped_while_another_host_holds_its_lease(services, db):
    now = services.cleanup.now()
    assert _take(db, LEASE_NAME, "other-host:1", now, minutes=1)
    try:
        assert services.cleanup.run() is None
    finally:
        _release(db, LEASE_NAME, "other-host:1")
    counts = services.cleanup.run()
    assert counts is not None and set(counts) >= {"sessions", "idempotency_keys"}
    with db.cursor() as cur:  # released after the run
        cur.execute("SELECT COUNT(*) AS n FROM job_leases WHERE name = %s", (LEASE_NAME,))
        assert cur.fetchone()["n"] == 0


def test_a_dead_holders_lease_frees_itself_when_it_runs_out(services, db, travel):
    now = services.cleanup.now()
    assert _take(db, LEASE_NAME, "crashed-host:1", now, minutes=10)
    try:
        assert services.cleanup.run() is None
        travel(timedelta(minutes=11))
        assert services.cleanup.run() is not None
    finally:
        _release(db, LEASE_NAME, "crashed-host:1")
