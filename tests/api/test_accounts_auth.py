"""Registration, login, one-time codes, password reset and sessions through the HTTP API."""
from __future__ import annotations

from datetime import timedelta

from backend.repositories.accounts import AccountRepository
from tests import accounts_support
from tests.accounts_support import STRONG_PASSWORD, code_in, wait_for_mail
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import add_product

# The SMTP sink and the real sender aimed at it (fixtures shared by the accounts tests).
smtp_sink, smtp_sender = accounts_support.smtp_sink, accounts_support.smtp_sender


def _register(client, email: str, username: str, password: str = STRONG_PASSWORD, **extra):
    return client.post("/api/v1/auth/register",
                       json={"email": email, "username": username, "password": password, **extra})


def _audit_actions(db, user_id: int) -> list[str]:
    with db.cursor() as cur:
        cur.execute("SELECT action FROM audit_log WHERE actor_id = %s ORDER BY id", (user_id,))
        return [row["action"] for row in cur.fetchall()]


def test_register_verify_login_with_the_code_from_a_real_email(client, smtp_sink, smtp_sender, db):
    email, username = f"Reg-{uid()}@Example.test", f"reg_{uid()}"
    response = _register(client, email, username, full_name="Ada Lovelace")
    assert response.status_code == 202
    # Nothing exists until the code is verified.
    with db.uow() as uow:
        assert AccountRepository(uow.conn).get_user_by_email(email.lower()) is None

    received = wait_for_mail(smtp_sink, smtp_sender, email.lower(), "code")
    code = code_in(received)
    assert received.message["From"] == smtp_sender.settings.mail_from
    with db.cursor() as cur:  # stored only hashed
        cur.execute("SELECT code_hash FROM pending_registrations WHERE email = %s", (email.lower(),))
        assert cur.fetchone()["code_hash"] != code

    verified = client.post("/api/v1/auth/register/verify", json={"email": email, "code": code})
    assert verified.status_code == 201
    body = verified.get_json()
    assert set(body) == {"user", "token", "csrf_token"}
    assert body["user"]["username"] == username and body["user"]["email"] == email.lower()
    assert body["user"]["full_name"] == "Ada Lovelace" and body["user"]["role"] == "customer"
    cookie = verified.headers["Set-Cookie"]
    assert f"sw_session={body['token']}" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

    # The same code cannot be used twice.
    assert_error(client.post("/api/v1/auth/register/verify", json={"email": email, "code": code}), 422,
                 "validation_error")

    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == body["user"]["id"]

    by_username = client.post("/api/v1/auth/login", json={"login": username, "password": STRONG_PASSWORD})
    by_email = client.post("/api/v1/auth/login", json={"login": email.upper(), "password": STRONG_PASSWORD})
    assert by_username.status_code == 200 and by_email.status_code == 200
    assert by_username.get_json()["token"] != by_email.get_json()["token"]  # a new session each time
    assert _audit_actions(db, body["user"]["id"]) == ["auth.registered", "auth.login", "auth.login", "auth.login"]


def test_register_rejects_bad_fields_per_field(client):
    response = client.post("/api/v1/auth/register", json={"email": "nope", "username": "a b", "password": "x"})
    error = assert_error(response, 422, "validation_error")
    # Every bad field in one answer: the password rules run in the schema, not a round trip later.
    assert set(error["fields"]) == {"email", "username", "password"}
    assert error["fields"]["password"] == ["Use at least 10 characters."]
    # The rule against the username or email compares them as sent, even when they are bad themselves.
    error = assert_error(client.post("/api/v1/auth/register", json={
        "email": "nope", "username": "a b c d e f g", "password": "A B C D E F G"}), 422, "validation_error")
    assert error["fields"]["password"] == ["The password must not be your username or email."]
    suffix = uid()
    for password, hint in [("short", "at least 10"), ("password123", "too common"),
                           (f"user_{suffix}", "username or email")]:
        error = assert_error(_register(client, f"p-{suffix}@example.test", f"user_{suffix}", password), 422,
                             "validation_error")
        assert hint in " ".join(error["fields"]["password"])


def test_taken_email_answers_like_a_new_one_and_the_owner_is_told(client, make_user, db, services):
    owner = make_user()
    response = _register(client, owner["email"], f"other_{uid()}")
    assert response.status_code == 202
    assert response.get_json() == _register(client, f"new-{uid()}@example.test", f"new_{uid()}").get_json()
    services.auth.prepare_requested_mail()  # what the outbox sender does first
    with db.cursor() as cur:
        cur.execute("SELECT subject FROM email_outbox WHERE to_addr = %s", (owner["email"],))
        assert [r["subject"] for r in cur.fetchall()] == ["You already have a Shopwright account"]
        cur.execute("SELECT COUNT(*) AS n FROM pending_registrations WHERE email = %s", (owner["email"],))
        assert cur.fetchone()["n"] == 0


def test_taken_username_is_refused_with_409_at_verify(client, make_user, smtp_sink, smtp_sender):
    owner = make_user()
    email = f"late-{uid()}@example.test"
    assert _register(client, email, owner["username"]).status_code == 202
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, email, "code"))
    response = client.post("/api/v1/auth/register/verify", json={"email": email, "code": code})
    assert_error(response, 409, "conflict")


def test_five_wrong_codes_void_the_registration(client, smtp_sink, smtp_sender):
    email = f"void-{uid()}@example.test"
    _register(client, email, f"void_{uid()}")
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, email, "code"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        error = assert_error(client.post("/api/v1/auth/register/verify", json={"email": email, "code": wrong}),
                             422, "validation_error")
    assert "void" in error["fields"]["code"][0]
    assert_error(client.post("/api/v1/auth/register/verify", json={"email": email, "code": code}), 422,
                 "validation_error")


def test_registration_code_expires_after_15_minutes(client, smtp_sink, smtp_sender, travel):
    email = f"exp-{uid()}@example.test"
    _register(client, email, f"exp_{uid()}")
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, email, "code"))
    travel(timedelta(minutes=15, seconds=1))
    error = assert_error(client.post("/api/v1/auth/register/verify", json={"email": email, "code": code}), 422,
                         "validation_error")
    assert "expired" in error["fields"]["code"][0]


def test_unknown_user_and_wrong_password_get_the_same_401(client, make_user, db):
    user = make_user()
    wrong = client.post("/api/v1/auth/login", json={"login": user["email"], "password": "not-the-password"})
    unknown = client.post("/api/v1/auth/login", json={"login": f"ghost-{uid()}", "password": "not-the-password"})
    assert_error(wrong, 401, "invalid_credentials")
    assert_error(unknown, 401, "invalid_credentials")
    assert wrong.get_json() == unknown.get_json()
    assert _audit_actions(db, user["id"]) == ["auth.login_failed"]


def test_a_password_past_bcrypts_72_bytes_is_just_wrong(client, make_user):
    user = make_user(password="p" * 72)
    longer = client.post("/api/v1/auth/login", json={"login": user["email"], "password": "p" * 72 + "extra"})
    assert_error(longer, 401, "invalid_credentials")
    assert client.post("/api/v1/auth/login", json={"login": user["email"], "password": "p" * 72}).status_code == 200


def test_password_login_locks_after_five_failures(client, make_user, travel):
    user = make_user()
    for _ in range(5):
        assert_error(client.post("/api/v1/auth/login", json={"login": user["username"], "password": "wrong-one!"}),
                     401, "invalid_credentials")
    # Even the right password is refused while locked, with the same answer.
    locked = client.post("/api/v1/auth/login", json={"login": user["username"], "password": user["password"]})
    assert_error(locked, 401, "invalid_credentials")
    travel(timedelta(minutes=15, seconds=1))
    assert client.post("/api/v1/auth/login",
                       json={"login": user["username"], "password": user["password"]}).status_code == 200


def test_blocked_user_is_refused_then_let_in_after_blocked_until(client, make_user, services, travel):
    user = make_user()
    until = services.auth.now() + timedelta(hours=2)
    with services.db.cursor() as cur:
        cur.execute("UPDATE users SET blocked_until = %s WHERE id = %s", (until, user["id"]))
    login = {"login": user["email"], "password": user["password"]}
    error = assert_error(client.post("/api/v1/auth/login", json=login), 403, "account_blocked")
    assert error["blocked_until"] == until.isoformat() + "Z"
    # An open session is refused too.
    assert_error(client.get("/api/v1/auth/me", headers=user["headers"]), 403, "account_blocked")
    travel(timedelta(hours=2, seconds=1))
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_inactive_user_is_refused(client, make_user, services):
    user = make_user()
    with services.db.cursor() as cur:
        cur.execute("UPDATE users SET is_active = 0 WHERE id = %s", (user["id"],))
    assert_error(client.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]}),
                 403, "account_inactive")


def test_otp_login_is_single_use_and_expires(client, make_user, smtp_sink, smtp_sender, travel):
    user = make_user()
    assert client.post("/api/v1/auth/otp", json={"email": user["email"]}).status_code == 202
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, user["email"], "login code"))
    ok = client.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": code})
    assert ok.status_code == 200 and ok.get_json()["user"]["id"] == user["id"]
    assert "sw_session=" in ok.headers["Set-Cookie"]
    assert_error(client.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": code}), 401,
                 "invalid_credentials")

    client.post("/api/v1/auth/otp", json={"email": user["email"]})
    smtp_sink.messages.clear()
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, user["email"], "login code"))
    travel(timedelta(minutes=10, seconds=1))
    assert_error(client.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": code}), 401,
                 "invalid_credentials")


def test_otp_gives_up_after_five_wrong_codes(client, make_user, smtp_sink, smtp_sender):
    user = make_user()
    client.post("/api/v1/auth/otp", json={"email": user["email"]})
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, user["email"], "login code"))
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(5):
        client.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": wrong})
    assert_error(client.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": code}), 401,
                 "invalid_credentials")


def test_otp_for_unknown_email_answers_the_same(client):
    known = client.post("/api/v1/auth/otp", json={"email": f"nobody-{uid()}@example.test"})
    assert known.status_code == 202


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(client, make_user, db, services):
    user = make_user()
    known = client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
    unknown_email = f"nobody-{uid()}@example.test"
    unknown = client.post("/api/v1/auth/password/forgot", json={"email": unknown_email})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert set(known.headers.keys()) - {"X-Request-ID"} == set(unknown.headers.keys()) - {"X-Request-ID"}
    services.auth.prepare_requested_mail()
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM email_outbox WHERE to_addr IN (%s, %s)", (user["email"], unknown_email))
        assert cur.fetchone()["n"] == 1


def test_reset_token_works_once_ends_every_session_and_expires(client, make_user, smtp_sink, smtp_sender,
                                                               travel, services):
    user = make_user()
    client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
    received = wait_for_mail(smtp_sink, smtp_sender, user["email"], "Reset")
    link = next(line for line in received.body.splitlines() if "/reset?token=" in line)
    assert link.startswith(f"{services.settings.public_url}/reset?token=")
    token = link.split("token=", 1)[1].strip()
    new_password = "a-fresh-passphrase-77"
    reset = client.post("/api/v1/auth/password/reset", json={"token": token, "password": new_password})
    assert reset.status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=user["headers"]), 401, "unauthenticated")
    assert_error(client.post("/api/v1/auth/password/reset", json={"token": token, "password": new_password + "x"}),
                 422, "validation_error")
    assert client.post("/api/v1/auth/login", json={"login": user["email"], "password": new_password}).status_code == 200

    client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
    smtp_sink.messages.clear()
    received = wait_for_mail(smtp_sink, smtp_sender, user["email"], "Reset")
    token = received.body.split("token=", 1)[1].split()[0]
    travel(timedelta(minutes=15, seconds=1))
    assert_error(client.post("/api/v1/auth/password/reset", json={"token": token, "password": "another-passphrase-1"}),
                 422, "validation_error")


def test_logout_ends_the_session_and_clears_the_cookie(client, make_user, db):
    user = make_user()
    response = client.post("/api/v1/auth/logout", headers=user["headers"])
    assert response.status_code == 204
    assert "sw_session=;" in response.headers["Set-Cookie"]
    assert_error(client.get("/api/v1/auth/me", headers=user["headers"]), 401, "unauthenticated")
    assert _audit_actions(db, user["id"]) == ["auth.logout"]


def test_reset_names_a_dead_link_and_a_weak_password_at_once(client):
    error = assert_error(client.post("/api/v1/auth/password/reset", json={"token": "t" * 40, "password": "short"}),
                         422, "validation_error")
    assert set(error["fields"]) == {"token", "password"}
    assert error["fields"]["password"] == ["Use at least 10 characters."]


def _guest_with_a_cart(app, db):
    """A browser holding a guest cart of one product (2 of it); returns (browser, product id)."""
    browser, product = app.test_client(), add_product(db, stock=5)
    assert browser.post("/api/v1/cart/items", json={"product_id": product, "quantity": 2}).status_code == 201
    return browser, product


def _cart_after_login(browser, login) -> dict[int, int]:
    assert login.status_code in (200, 201), login.get_json()
    assert browser.get_cookie("sw_cart") is None  # the guest cart joined the user's: its cookie goes
    cart = browser.get("/api/v1/cart", headers={"Authorization": f"Bearer {login.get_json()['token']}"})
    return {line["product_id"]: line["quantity"] for line in cart.get_json()["items"]}


def test_code_and_registration_logins_bring_the_guest_cart_along(app, db, make_user, smtp_sink, smtp_sender):
    user = make_user()
    browser, product = _guest_with_a_cart(app, db)
    browser.post("/api/v1/auth/otp", json={"email": user["email"]})
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, user["email"], "login code"))
    login = browser.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": code})
    assert _cart_after_login(browser, login) == {product: 2}

    browser, product = _guest_with_a_cart(app, db)
    email = f"cart-{uid()}@example.test"
    _register(browser, email, f"cart_{uid()}", full_name="Guest Buyer")
    code = code_in(wait_for_mail(smtp_sink, smtp_sender, email, "code"))
    login = browser.post("/api/v1/auth/register/verify", json={"email": email, "code": code})
    assert _cart_after_login(browser, login) == {product: 2}
