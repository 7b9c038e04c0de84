"""The connection pool and the unit of work against the real server."""
from __future__ import annotations

import pymysql
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
    with pytest.raises(errors.DatabaseUnavailable), down.uow():
        pass
    assert not down.probe.alive()


# ---------------------------------------------------------------- the pool's hot path and failures
def _pool_db(settings, **changes) -> Database:
    from dataclasses import replace

    return Database(replace(settings, **changes))


def _session_counter(uow, name: str) -> int:
    with uow.conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE %s", (name,))
        return int(cur.fetchone()["Value"])


def _kill(db, thread_id: int) -> None:
    with db.cursor() as cur:
        cur.execute("KILL %s", (thread_id,))


def test_read_only_units_cost_no_ping_begin_or_rollback(settings):
    db = _pool_db(settings)
    with db.uow() as uow:
        thread = uow.conn.thread_id()
        before = {n: _session_counter(uow, n) for n in ("Com_admin_commands", "Com_rollback", "Com_begin")}
    for _ in range(5):
        with db.uow() as uow, uow.conn.cursor() as cur:
            assert uow.conn.thread_id() == thread
            cur.execute("SELECT COUNT(*) AS n FROM users")
    with db.uow() as uow:
        after = {n: _session_counter(uow, n) for n in before}
    assert after == before  # no COM_PING, BEGIN or ROLLBACK was sent for the five reads
    db.pool.close()


def test_writes_run_in_one_transaction_that_needs_commit(settings):
    db = _pool_db(settings)
    email = f"w-{uid()}@example.test"
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM users WHERE email = %s", (email,))
        cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))
        cur.execute("SELECT COUNT(*) AS n FROM users WHERE email = %s", (email,))
        assert cur.fetchone()["n"] == 1  # seen inside its own transaction
    assert _count(db, email) == 0
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))
        uow.commit()
    assert _count(db, email) == 1
    db.pool.close()


def test_a_reused_connection_never_serves_an_old_snapshot(settings, db):
    pool_db = _pool_db(settings)
    email, name = f"s-{uid()}@example.test", uid()
    with db.cursor() as cur:
        cur.execute("INSERT INTO users (email, username, full_name) VALUES (%s, %s, 'before')", (email, name))
    for locking in ("", " FOR UPDATE"):
        with pool_db.uow() as uow, uow.conn.cursor() as cur:
            thread = uow.conn.thread_id()
            cur.execute("SELECT full_name FROM users WHERE email = %s" + locking, (email,))
            old = cur.fetchone()["full_name"]
        new = f"after-{uid()}"
        with db.cursor() as cur:  # another connection commits a change
            cur.execute("UPDATE users SET full_name = %s WHERE email = %s", (new, email))
        with pool_db.uow() as uow, uow.conn.cursor() as cur:
            assert uow.conn.thread_id() == thread
            cur.execute("SELECT full_name FROM users WHERE email = %s", (email,))
            assert cur.fetchone()["full_name"] == new != old
    pool_db.pool.close()


def test_a_connection_lost_mid_request_is_discarded_and_the_pool_recovers(settings, db):
    pool_db = _pool_db(settings)
    with pool_db.uow() as uow:
        dead = uow.conn.thread_id()
    _kill(db, dead)
    with pytest.raises(errors.DatabaseUnavailable), pool_db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("SELECT 1")  # fresh (not idle long): used without a ping, so the loss shows here
    assert pool_db.pool.down
    with pool_db.uow() as uow, uow.conn.cursor() as cur:  # the probe: a new connection
        assert uow.conn.thread_id() != dead
        cur.execute("SELECT 1 AS one")
        assert cur.fetchone()["one"] == 1
    assert not pool_db.pool.down
    pool_db.pool.close()


def test_a_connection_idle_too_long_is_pinged_and_replaced_when_dead(settings, db):
    pool_db = _pool_db(settings, db_ping_idle_seconds=0)
    with pool_db.uow() as uow:
        dead = uow.conn.thread_id()
    _kill(db, dead)
    with pool_db.uow() as uow, uow.conn.cursor() as cur:  # the ping finds it dead; a new one serves
        assert uow.conn.thread_id() != dead
        cur.execute("SELECT 1 AS one")
        assert cur.fetchone()["one"] == 1
    pool_db.pool.close()


def test_a_full_pool_whose_holders_are_stuck_answers_503_fast(settings):
    import threading
    import time

    pool_db = _pool_db(settings, db_pool_size=2, db_acquire_timeout=5.0)
    held = [pool_db.pool.acquire(), pool_db.pool.acquire()]
    # While connections keep coming back, a request waits for one.
    threading.Timer(0.2, pool_db.pool.release, args=(held.pop(),)).start()
    held.append(pool_db.pool.acquire())
    # Once none has come back for a while, every holder is stuck: 503 long before db_acquire_timeout.
    started = time.monotonic()
    with pytest.raises(errors.DatabaseUnavailable):
        pool_db.pool.acquire()
    assert time.monotonic() - started < 1.0
    for conn in held:
        pool_db.pool.release(conn)
    pool_db.pool.close()


def test_the_probe_after_a_loss_checks_even_a_fresh_connection(settings, db):
    pool_db = _pool_db(settings)
    lost, fresh = pool_db.pool.acquire(), pool_db.pool.acquire()
    pool_db.pool.release(lost, broken=True)  # a loss: this worker now treats the database as down
    pool_db.pool.release(fresh)  # in use meanwhile, it comes back recently used
    dead = fresh.thread_id()
    _kill(db, dead)
    with pool_db.uow() as uow, uow.conn.cursor() as cur:  # the probe pings it, finds it dead, connects anew
        assert uow.conn.thread_id() != dead
        cur.execute("SELECT 1 AS one")
        assert cur.fetchone()["one"] == 1
    assert not pool_db.pool.down
    pool_db.pool.close()


@pytest.mark.parametrize("code", [1969, 188, 1317])
def test_a_statement_stopped_by_the_server_bound_answers_503_busy(app, code):
    # 1969: the bound stopped a statement; 188: MariaDB's answer when the bound interrupts an InnoDB
    # FULLTEXT search (seen under search load as 500s before it was listed); 1317: KILL QUERY or a shutdown.
    from backend.error_handlers import _database_error
    with app.test_request_context("/api/v1/products?q=walnut"):
        response = _database_error(pymysql.err.InternalError(code, "Query execution was interrupted"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["code"] == "database_busy"
