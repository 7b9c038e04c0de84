"""Account services against the real database: audit trail, password rules, login timing."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest

from backend import errors
from backend.context import Actor
from backend.passwords import hash_password
from backend.repositories.accounts import AccountRepository
from backend.services.accounts import password_problems
from tests.conftest import uid

ACTOR = Actor(ip="203.0.113.9", request_id="req-accounts-test")


def _events(db, target_id: int) -> list[dict]:
    with db.cursor() as cur:
        cur.execute("SELECT actor_id, action, target_id, ip, request_id, details, created_at FROM audit_log "
                    "WHERE target_type = 'user' AND target_id = %s ORDER BY id", (str(target_id),))
        return list(cur.fetchall())


def test_audit_never_holds_secrets(services, make_user):
    user = make_user()
    with pytest.raises(errors.Unauthorized):
        services.auth.login(ACTOR, user["email"], "my-secret-guess-123")
    services.auth.login(ACTOR, user["username"], user["password"])
    services.accounts.change_password(Actor(user_id=user["id"], ip="203.0.113.9", session_id=user["session_id"]),
                                      user["password"], "another-secret-456")
    with services.db.cursor() as cur:
        cur.execute("SELECT action, details FROM audit_log WHERE actor_id = %s", (user["id"],))
        events = list(cur.fetchall())
    assert {e["action"] for e in events} == {"auth.login_failed", "auth.login", "auth.password_changed"}
    text = json.dumps([e["details"] for e in events])
    for secret in ("my-secret-guess-123", user["password"], "another-secret-456"):
        assert secret not in text
    actions = [e["action"] for e in _events(services.db, user["id"])]
    assert actions == ["auth.login_failed", "auth.password_changed"]


@pytest.mark.parametrize("password, username, email, ok", [
    ("plum-harbour-lantern-42", "ada", "ada@example.test", True),
    ("short-1", "ada", "ada@example.test", False),
    ("qwertyuiop", "ada", "ada@example.test", False),
    ("Password123", "ada", "ada@example.test", False),
    ("ada_lovelace", "ada_lovelace", "x@example.test", False),
    ("ada.lovelace@example.test", "ada", "ada.lovelace@example.test", False),
    ("é" * 40, "ada", "ada@example.test", False),  # 80 bytes: bcrypt would cut it
])
def test_password_rules(password, username, email, ok):
    assert (password_problems(password, username, email) == []) is ok


def test_unknown_user_takes_as_long_as_a_wrong_password(services):
    email = f"timing-{uid()}@example.test"
    with services.db.uow() as uow:  # a real-cost hash, as registration makes
        AccountRepository(uow.conn).add_user(email, f"timing_{uid()}", hash_password("the-real-password-1"), "")
        uow.commit()

    def timed(login: str) -> float:
        started = time.perf_counter()
        with pytest.raises(errors.Unauthorized):
            services.auth.login(ACTOR, login, "a-wrong-password-9")
        return time.perf_counter() - started

    timed(f"warm-{uid()}")  # the dummy hash is made once, on first use
    # Interleaved pairs and the fastest of each: the machine is shared, so single runs are noisy.
    pairs = [(timed(email), timed(f"ghost-{uid()}")) for _ in range(4)]
    known, unknown = min(p[0] for p in pairs), min(p[1] for p in pairs)
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_pending_registration_keeps_only_hashes(services):
    email = f"hash-{uid()}@example.test"
    services.auth.register(ACTOR, email, f"hash_{uid()}", "plum-harbour-lantern-42", "")
    services.auth.prepare_requested_mail()
    with services.db.cursor() as cur:
        cur.execute("SELECT password_hash, code_hash FROM pending_registrations WHERE email = %s", (email,))
        row = cur.fetchone()
        cur.execute("SELECT body_text FROM email_outbox WHERE to_addr = %s", (email,))
        code = cur.fetchone()["body_text"].split("code is ")[1][:6]
    assert row["password_hash"].startswith("$2") and "plum" not in row["password_hash"]
    assert len(row["code_hash"]) == 64 and code not in row["code_hash"]


def test_a_lockout_set_while_the_password_is_checked_refuses_the_right_password(services):
    """The login decides on the lockout under the row lock it writes the counters with, not on the row it read
    before hashing: a right guess racing the failure that locks the account is refused like every later one."""
    email, password = f"race-{uid()}@example.test", "the-real-password-1"
    with services.db.uow() as uow:  # a real-cost hash: the check takes long enough to lock the account meanwhile
        user_id = AccountRepository(uow.conn).add_user(email, f"race_{uid()}", hash_password(password), "")
        uow.commit()
    outcome: list[BaseException | None] = []

    def log_in() -> None:
        try:
            services.auth.login(ACTOR, email, password)
            outcome.append(None)
        except errors.AppError as exc:
            outcome.append(exc)

    guess = threading.Thread(target=log_in)
    guess.start()
    time.sleep(0.05)  # the login has read the row and is hashing (bcrypt at full cost takes far longer)
    with services.db.cursor() as cur:  # what the fifth failure of a concurrent attempt writes
        cur.execute("UPDATE users SET failed_logins = 5, login_locked_until = %s WHERE id = %s",
                    (services.auth.now() + timedelta(minutes=15), user_id))
    guess.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], errors.Unauthorized), outcome
    assert json.loads(_events(services.db, user_id)[-1]["details"]) == {"reason": "locked", "method": "password"}
