"""The connection pool and the unit of work against the real server."""
from __future__ import annotations

import pytest

from backend import errors
from backend.db import Database
from tests.conftest import uid


def _count(db, email):
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM users WHERE email = %s", (email,))
        return cur.fetchone()["n"]


def test_unit_of_work_commits_when_told(db):
    email = f"c-{uid()}@example.test"
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))
        uow.commit()
    assert _count(db, email) == 1


def test_unit_of_work_rolls_back_on_error(db):
    email = f"r-{uid()}@example.test"
    with pytest.raises(ZeroDivisionError), db.uow() as uow:
        with uow.conn.cursor() as cur:
            cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))
        1 / 0  # noqa: B018 - the failure under test
    assert _count(db, email) == 0


def test_unit_of_work_without_commit_keeps_nothing(db):
    email = f"f-{uid()}@example.test"
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))
    assert _count(db, email) == 0


def test_pool_reuses_persistent_connections(db):
    with db.uow() as uow:
        first = uow.conn.thread_id()
    with db.uow() as uow:
        assert uow.conn.thread_id() == first


def test_connections_are_utc_and_statement_bounded(db):
    with db.cursor() as cur:
        cur.execute("SELECT @@session.time_zone AS tz")
        assert cur.fetchone()["tz"] == "+00:00"
        cur.execute("SELECT VERSION() AS v")
        if "mariadb" in cur.fetchone()["v"].lower():
            cur.execute("SELECT @@session.max_statement_time AS t")
            assert float(cur.fetchone()["t"]) == db.settings.db_statement_seconds
        else:
            cur.execute("SELECT @@session.max_execution_time AS t")
            assert int(cur.fetchone()["t"]) == db.settings.db_statement_seconds * 1000


def test_unreachable_server_raises_database_unavailable(settings):
    from dataclasses import replace

    from tests.helpers import _free_port

    down = Database(replace(settings, db_port=_free_port(), db_connect_timeout=1))
    with pytest.raises(errors.DatabaseUnavailable):
        down.ping()
