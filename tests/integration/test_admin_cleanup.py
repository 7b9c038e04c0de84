"""Retention: the cleanup removes what has expired and keeps what is still live."""
from __future__ import annotations

import time
from datetime import timedelta

from backend.background import BackgroundLoop
from backend.clock import utcnow
from tests.conftest import uid


def _exists(db, table, row_id, key="id"):
    with db.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) AS n FROM {table} WHERE {key} = %s", (row_id,))  # names are literals here
        return cur.fetchone()["n"] == 1


def _insert(db, sql, args):
    with db.cursor() as cur:
        cur.execute(sql, args)
        return cur.lastrowid


def test_cleanup_removes_expired_rows_of_every_kind_and_keeps_live_ones(services, db, make_user, settings):
    now = utcnow()
    user = make_user()
    old = now - timedelta(days=settings.audit_retention_days + 1)
    rows = {
        ("audit_log", True): _insert(db, "INSERT INTO audit_log (action, created_at) VALUES ('t.old', %s)", (old,)),
        ("audit_log", False): _insert(db, "INSERT INTO audit_log (action, created_at) VALUES ('t.new', %s)",
                                      (now - timedelta(days=1),)),
        ("one_time_codes", True): _insert(db, "INSERT INTO one_time_codes (user_id, code_hash, expires_at) "
                                              "VALUES (%s, 'x', %s)", (user["id"], now - timedelta(minutes=1))),
        ("one_time_codes", False): _insert(db, "INSERT INTO one_time_codes (user_id, code_hash, expires_at) "
                                               "VALUES (%s, 'y', %s)", (user["id"], now + timedelta(minutes=5))),
        ("password_reset_tokens", True): _insert(
            db, "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES (%s, %s, %s)",
            (user["id"], uid().ljust(64, "0"), now - timedelta(minutes=1))),
        ("password_reset_tokens", False): _insert(
            db, "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES (%s, %s, %s)",
            (user["id"], uid().ljust(64, "1"), now + timedelta(minutes=10))),
        ("sessions", True): _insert(
            db, "INSERT INTO sessions (user_id, token_hash, csrf_hash, last_seen_at, expires_at) "
                "VALUES (%s, %s, 'c', %s, %s)",
            (user["id"], uid().ljust(64, "2"), now - timedelta(hours=2), now + timedelta(days=1))),
        ("pending_registrations", True): _insert(
            db, "INSERT INTO pending_registrations (email, username, password_hash, code_hash, expires_at) "
                "VALUES (%s, %s, 'h', 'c', %s)", (f"p-{uid()}@example.test", f"p_{uid()}", now - timedelta(minutes=1))),
        ("pending_registrations", False): _insert(
            db, "INSERT INTO pending_registrations (email, username, password_hash, code_hash, expires_at) "
                "VALUES (%s, %s, 'h', 'c', %s)", (f"q-{uid()}@example.test", f"q_{uid()}", now + timedelta(minutes=9))),
        ("carts", True): _insert(db, "INSERT INTO carts (guest_token_hash, updated_at) VALUES (%s, %s)",
                                 (uid().ljust(64, "3"), now - timedelta(days=31))),
        ("carts", False): _insert(db, "INSERT INTO carts (guest_token_hash, updated_at) VALUES (%s, %s)",
                                  (uid().ljust(64, "4"), now - timedelta(days=2))),
        ("idempotency_keys", True): _insert(
            db, "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at) VALUES (%s, %s, 'h', %s)",
            (user["id"], uid(), now - timedelta(days=8))),
        ("idempotency_keys", False): _insert(
            db, "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at) VALUES (%s, %s, 'h', %s)",
            (user["id"], uid(), now - timedelta(hours=1))),
    }
    counts = services.cleanup.run()
    for (table, expired), row_id in rows.items():
        assert _exists(db, table, row_id) is not expired, (table, expired)
        if expired:
            assert counts[{"audit_log": "audit_events", "one_time_codes": "login_codes",
                           "password_reset_tokens": "reset_tokens", "carts": "guest_carts"}.get(table, table)] >= 1
    # The live session of make_user survives.
    assert _exists(db, "sessions", user["session_id"])


def test_the_scheduler_runs_on_its_interval(services, db):
    row = _insert(db, "INSERT INTO pending_registrations (email, username, password_hash, code_hash, expires_at) "
                      "VALUES (%s, %s, 'h', 'c', %s)", (f"s-{uid()}@example.test", f"s_{uid()}", utcnow()))
    loop = BackgroundLoop("cleanup", services.cleanup.run_scheduled, 0.12, wait_first=True)
    loop.ensure_started()
    try:
        for _ in range(50):
            if not _exists(db, "pending_registrations", row):
                break
            time.sleep(0.1)
        assert not _exists(db, "pending_registrations", row)
    finally:
        loop.stop()
    assert not loop.running()


def test_cleanup_cli_command_prints_the_counts(app, db):
    row = _insert(db, "INSERT INTO pending_registrations (email, username, password_hash, code_hash, expires_at) "
                      "VALUES (%s, %s, 'h', 'c', %s)", (f"c-{uid()}@example.test", f"c_{uid()}", utcnow()))
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert result.exit_code == 0, result.output
    assert "pending_registrations" in result.output and "audit_events" in result.output
    assert not _exists(db, "pending_registrations", row)


def test_the_web_app_starts_the_scheduler_with_its_first_request(settings, db):
    from dataclasses import replace

    from backend.app import create_app

    assert create_app(settings=replace(settings, cleanup_interval_minutes=0)).extensions["background"] == {}
    app = create_app(settings=replace(settings, cleanup_interval_minutes=0.002))
    loop = app.extensions["background"]["cleanup"]
    assert not loop.running()          # creating the app (or a CLI run) starts nothing
    row = _insert(db, "INSERT INTO pending_registrations (email, username, password_hash, code_hash, expires_at) "
                      "VALUES (%s, %s, 'h', 'c', %s)", (f"w-{uid()}@example.test", f"w_{uid()}", utcnow()))
    app.test_client().get("/api/v1/health")
    assert loop.running()
    thread = loop._thread
    try:
        for _ in range(50):
            if not _exists(db, "pending_registrations", row):
                break
            time.sleep(0.1)
        assert not _exists(db, "pending_registrations", row)
        app.test_client().get("/api/v1/health")
        assert loop._thread is thread   # one scheduler per process
    finally:
        loop.stop()
        app.extensions["shopwright"].db.pool.close()
