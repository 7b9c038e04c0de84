"""Account mail asked for anonymously is queued the same for every address and mailed by the sender's pass."""
from __future__ import annotations

from datetime import timedelta

from backend.context import Actor
from backend.services.auth import OTP_TTL
from tests.conftest import uid

ACTOR = Actor(ip="203.0.113.7", request_id=f"req-{uid()}")
COLUMNS = "kind, channel, username, full_name, password_hash, ip, request_id"


def _queued(db, email: str) -> list[dict]:
    with db.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM account_mail_requests WHERE email = %s", (email,))
        return list(cur.fetchall())


def _count(db, table: str, column: str, value) -> int:
    with db.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) AS n FROM {table} WHERE {column} = %s", (value,))
        return cur.fetchone()["n"]


def test_a_request_queues_the_same_row_for_known_and_unknown_addresses(services, db, make_user):
    known, unknown = make_user()["email"], f"nobody-{uid()}@example.test"
    for email in (known, unknown):
        services.auth.forgot_password(ACTOR, email)
        services.auth.request_otp(ACTOR, email, "sms")
    assert _queued(db, known) == _queued(db, unknown) == [
        {"kind": "password_reset", "channel": "email", "username": "", "full_name": "", "password_hash": None,
         "ip": ACTOR.ip, "request_id": ACTOR.request_id},
        {"kind": "login_code", "channel": "sms", "username": "", "full_name": "", "password_hash": None,
         "ip": ACTOR.ip, "request_id": ACTOR.request_id}]
    # Nothing that differs between the two was written by the requests themselves.
    assert _count(db, "email_outbox", "to_addr", known) == 0
    services.auth.prepare_requested_mail()
    assert _queued(db, known) == _queued(db, unknown) == []
    assert _count(db, "email_outbox", "to_addr", known) == 2  # no phone: the code goes by email
    assert _count(db, "email_outbox", "to_addr", unknown) == 0


def test_the_reset_request_is_audited_with_the_askers_ip_and_request_id(services, db, make_user):
    user = make_user()
    services.auth.forgot_password(ACTOR, user["email"])
    services.auth.prepare_requested_mail()
    with db.cursor() as cur:
        cur.execute("SELECT actor_id, ip, request_id FROM audit_log WHERE action = 'auth.password_reset_requested' "
                    "AND target_id = %s", (str(user["id"]),))
        assert cur.fetchall() == [{"actor_id": user["id"], "ip": ACTOR.ip, "request_id": ACTOR.request_id}]


def test_codes_expire_counting_from_the_request_and_a_stale_request_is_dropped(services, db, make_user, travel):
    late, later = make_user(), make_user()
    services.auth.request_otp(ACTOR, late["email"])
    services.auth.request_otp(ACTOR, later["email"])
    asked = services.auth.now()
    travel(OTP_TTL - timedelta(minutes=1))  # the sender was down for a while
    services.auth.prepare_requested_mail()
    with db.cursor() as cur:
        cur.execute("SELECT expires_at FROM one_time_codes WHERE user_id = %s", (late["id"],))
        assert abs(cur.fetchone()["expires_at"] - (asked + OTP_TTL)) <= timedelta(seconds=2)
    services.auth.request_otp(ACTOR, later["email"])
    travel(OTP_TTL + timedelta(seconds=5))
    assert services.auth.prepare_requested_mail() >= 1
    assert _queued(db, later["email"]) == []  # handled, but unsent: its code would be dead on arrival
    assert _count(db, "one_time_codes", "user_id", later["id"]) == 1
