"""services.audit.record writes one row in the caller's unit of work, within the columns' bounds."""
from __future__ import annotations

from backend.context import Actor
from backend.services.audit import record
from tests.conftest import uid


def test_a_long_target_is_cut_to_the_column_not_refused(db):
    name = f"backup-{uid()}-" + "x" * 200 + ".sql"
    with db.uow() as uow:
        event_id = record(uow, Actor(ip="10.0.0.1", request_id="r" * 100), "backup.restore", "backup", name)
        uow.commit()
    with db.cursor() as cur:
        cur.execute("SELECT target_id, ip, request_id FROM audit_log WHERE id = %s", (event_id,))
        row = cur.fetchone()
    assert row == {"target_id": name[:64], "ip": "10.0.0.1", "request_id": "r" * 64}


def test_an_event_rolls_back_with_its_change(db):
    action = f"test.{uid()}"
    with db.uow() as uow:
        record(uow, Actor(), action)
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM audit_log WHERE action = %s", (action,))
        assert cur.fetchone()["n"] == 0
