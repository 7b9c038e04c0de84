"""Rate limits on the auth endpoints: per IP and per account, 429 in the error shape with Retry-After."""
from __future__ import annotations

from dataclasses import replace

import pytest

from backend.app import create_app
from backend.extensions import limiter
from tests.conftest import uid
from tests.helpers import assert_error


@pytest.fixture
def limited_client(settings):
    """An app of its own with RATELIMIT_ENABLED on (the shared test app has it off)."""
    was_enabled = limiter.enabled
    app = create_app(settings=replace(settings, ratelimit_enabled=True, redis_url=""))
    limiter.reset()
    yield app.test_client()
    limiter.reset()
    # The limiter object is process-wide; leave it as the other tests expect it.
    limiter.enabled = was_enabled


def test_login_is_limited_per_account(limited_client):
    login = {"login": f"target-{uid()}@example.test", "password": "guess-number-x"}
    statuses = [limited_client.post("/api/v1/auth/login", json=login).status_code for _ in range(10)]
    assert statuses == [401] * 10
    limited = limited_client.post("/api/v1/auth/login", json=login)
    error = assert_error(limited, 429, "rate_limited")
    assert "Try again" in error["message"] or "try again" in error["message"]
    assert 0 < int(limited.headers["Retry-After"]) <= 600
    # Another account from the same address is still let through (the per-IP limit is higher).
    other = {"login": f"other-{uid()}@example.test", "password": "guess-number-x"}
    assert limited_client.post("/api/v1/auth/login", json=other).status_code == 401


def test_forgot_password_is_limited_per_ip_across_accounts(limited_client):
    statuses = [limited_client.post("/api/v1/auth/password/forgot",
                                    json={"email": f"n{i}-{uid()}@example.test"}).status_code for i in range(31)]
    assert statuses[:30] == [202] * 30
    assert statuses[30] == 429


def test_an_app_with_limits_off_stays_unlimited_while_another_has_them_on(client, limited_client):
    login = {"login": f"free-{uid()}@example.test", "password": "guess-number-x"}
    assert {client.post("/api/v1/auth/otp", json={"email": login["login"]}).status_code for _ in range(8)} == {202}


def test_a_body_nested_too_deep_is_400_where_the_limit_reads_the_account(limited_client):
    # The per-account key is read from the body before the view parses it.
    deep = '{"login": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = limited_client.post("/api/v1/auth/login", data=deep, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")


def test_a_limited_endpoint_says_its_limit_and_a_catalog_read_carries_none(limited_client):
    # The limits are the decorated views' own (Flask-Limiter's per-request hook is off: no global limits).
    login = {"login": f"headers-{uid()}@example.test", "password": "guess-number-x"}
    first = limited_client.post("/api/v1/auth/login", json=login)
    assert (first.status_code, first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == (
        401, "10", "9")
    listing = limited_client.get("/api/v1/categories")
    assert listing.status_code == 200 and not any(name.startswith("X-RateLimit") for name, _ in listing.headers)
