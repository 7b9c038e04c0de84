"""Sessions (idle timeout, limit, listing, revoking), CSRF, profile, password change and addresses."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import uid
from tests.helpers import assert_error

ADDRESS = {"full_name": "Grace Hopper", "line1": "1 Navy Way", "city": "Arlington", "postal_code": "22201",
           "country": "US"}


def _cookie_client(app, user: dict):
    """A browser-like client: the session in the cookie, no Authorization header."""
    client = app.test_client()
    client.set_cookie("sw_session", user["token"])
    return client


def test_idle_timeout_ends_the_session(client, make_user, travel):
    user = make_user()
    assert client.get("/api/v1/auth/me", headers=user["headers"]).status_code == 200
    travel(timedelta(minutes=29))
    assert client.get("/api/v1/auth/me", headers=user["headers"]).status_code == 200  # activity keeps it alive
    travel(timedelta(minutes=30, seconds=1))
    assert_error(client.get("/api/v1/auth/me", headers=user["headers"]), 401, "unauthenticated")


def test_absolute_lifetime_ends_an_active_session(client, make_user, travel, services):
    user = make_user()
    for _ in range(services.settings.session_max_days * 24 * 2 + 1):  # active every 30 min for 7 days
        travel(timedelta(minutes=29, seconds=59))
        if client.get("/api/v1/auth/me", headers=user["headers"]).status_code != 200:
            break
    else:
        pytest.fail("the session outlived its absolute lifetime")
    assert_error(client.get("/api/v1/auth/me", headers=user["headers"]), 401, "unauthenticated")


def test_a_fourth_login_ends_the_oldest_session(client, make_user):
    user = make_user()  # session 1
    tokens = [user["token"]]
    for _ in range(3):
        response = client.post("/api/v1/auth/login", json={"login": user["username"], "password": user["password"]})
        tokens.append(response.get_json()["token"])
    alive = [client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {t}"}).status_code for t in tokens]
    assert alive == [401, 200, 200, 200]
    listed = client.get("/api/v1/auth/sessions", headers={"Authorization": f"Bearer {tokens[-1]}"}).get_json()
    assert listed["total"] == 3
    assert [s["current"] for s in listed["items"]] == [True, False, False]  # newest first
    assert set(listed["items"][0]) == {"id", "created_at", "last_seen_at", "ip", "user_agent", "current"}


def test_cookie_auth_needs_the_csrf_header_for_unsafe_methods(app, make_user):
    user = make_user()
    browser = _cookie_client(app, user)
    assert browser.get("/api/v1/auth/me").get_json()["id"] == user["id"]  # safe method: no header needed
    assert_error(browser.patch("/api/v1/account", json={"full_name": "No Header"}), 403, "csrf_failed")
    assert_error(browser.patch("/api/v1/account", json={"full_name": "Wrong"}, headers={"X-CSRF-Token": "nope"}),
                 403, "csrf_failed")
    ok = browser.patch("/api/v1/account", json={"full_name": "With Header"},
                       headers={"X-CSRF-Token": user["csrf_token"]})
    assert ok.status_code == 200 and ok.get_json()["full_name"] == "With Header"


def test_bearer_auth_needs_no_csrf_header(client, make_user):
    user = make_user()
    response = client.patch("/api/v1/account", json={"full_name": "Bearer Only"}, headers=user["headers"])
    assert response.status_code == 200 and response.get_json()["full_name"] == "Bearer Only"


def test_revoke_own_session_but_not_another_users(client, make_user):
    user, other = make_user(), make_user()
    second = client.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]}).get_json()
    second_id = next(s["id"] for s in client.get("/api/v1/auth/sessions", headers=user["headers"]).get_json()["items"]
                     if not s["current"])
    assert_error(client.delete(f"/api/v1/auth/sessions/{second_id}", headers=other["headers"]), 404, "not_found")
    assert client.delete(f"/api/v1/auth/sessions/{second_id}", headers=user["headers"]).status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {second['token']}"}), 401,
                 "unauthenticated")
    assert client.get("/api/v1/auth/me", headers=user["headers"]).status_code == 200


def test_profile_get_and_patch(client, make_user):
    user, other = make_user(), make_user()
    new_name = f"renamed_{uid()}"
    response = client.patch("/api/v1/account", json={"username": new_name, "phone": "+31 20 123 4567"},
                            headers=user["headers"])
    assert response.status_code == 200
    profile = client.get("/api/v1/account", headers=user["headers"]).get_json()
    assert (profile["username"], profile["phone"], profile["email"]) == (new_name, "+31 20 123 4567", user["email"])
    assert_error(client.patch("/api/v1/account", json={"username": other["username"]}, headers=user["headers"]),
                 409, "conflict")
    error = assert_error(client.patch("/api/v1/account", json={"username": "x"}, headers=user["headers"]),
                         422, "validation_error")
    assert "username" in error["fields"]
    assert_error(client.get("/api/v1/account"), 401, "unauthenticated")


def test_password_change_needs_the_current_one_and_ends_other_sessions(client, make_user):
    user = make_user()
    other = client.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]}).get_json()
    error = assert_error(client.post("/api/v1/account/password", headers=user["headers"],
                                     json={"current_password": "wrong-password", "new_password": "brand-new-pass-1"}),
                         422, "validation_error")
    assert "current_password" in error["fields"]
    ok = client.post("/api/v1/account/password", headers=user["headers"],
                     json={"current_password": user["password"], "new_password": "brand-new-pass-1"})
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me", headers=user["headers"]).status_code == 200
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other['token']}"}), 401,
                 "unauthenticated")
    assert client.post("/api/v1/auth/login",
                       json={"login": user["email"], "password": "brand-new-pass-1"}).status_code == 200


def test_addresses_crud_own_only(client, make_user):
    user, other = make_user(), make_user()
    created = client.post("/api/v1/account/addresses", json=ADDRESS, headers=user["headers"])
    assert created.status_code == 201
    address = created.get_json()
    assert created.headers["Location"] == f"/api/v1/account/addresses/{address['id']}"
    assert {k: address[k] for k in ADDRESS} == ADDRESS and address["line2"] == ""

    listed = client.get("/api/v1/account/addresses", headers=user["headers"]).get_json()
    assert [a["id"] for a in listed["items"]] == [address["id"]] and listed["total"] == 1
    assert client.get("/api/v1/account/addresses", headers=other["headers"]).get_json()["total"] == 0

    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"city": "Elsewhere"}} if method == "patch" else {}
        assert_error(getattr(client, method)(f"/api/v1/account/addresses/{address['id']}", headers=other["headers"],
                                             **kwargs), 404, "not_found")

    patched = client.patch(f"/api/v1/account/addresses/{address['id']}", json={"city": "Boston", "line2": "Apt 2"},
                           headers=user["headers"])
    assert patched.status_code == 200
    assert (patched.get_json()["city"], patched.get_json()["line2"], patched.get_json()["line1"]) == (
        "Boston", "Apt 2", "1 Navy Way")
    error = assert_error(client.post("/api/v1/account/addresses", json={"full_name": "x"}, headers=user["headers"]),
                         422, "validation_error")
    assert {"line1", "city", "postal_code", "country"} <= set(error["fields"])
    assert client.delete(f"/api/v1/account/addresses/{address['id']}", headers=user["headers"]).status_code == 204
    assert_error(client.get(f"/api/v1/account/addresses/{address['id']}", headers=user["headers"]), 404, "not_found")


def test_bad_bodies_get_4xx_not_500(client, make_user):
    user = make_user()
    assert_error(client.post("/api/v1/auth/login", data="not json", content_type="application/json"), 400,
                 "invalid_json")
    assert_error(client.post("/api/v1/auth/login", json=["a"]), 400, "invalid_json")
    assert_error(client.post("/api/v1/auth/login", json={"login": 5, "password": None}), 422, "validation_error")
    assert_error(client.post("/api/v1/auth/otp/verify", json={"email": user["email"], "code": "12ab56"}), 422,
                 "validation_error")
    assert_error(client.patch("/api/v1/account", json={}, headers=user["headers"]), 422, "validation_error")


def test_password_change_names_a_wrong_current_and_a_weak_new_password_at_once(client, make_user):
    user = make_user()
    error = assert_error(client.post("/api/v1/account/password", headers=user["headers"],
                                     json={"current_password": "wrong-password", "new_password": "password123"}),
                         422, "validation_error")
    assert set(error["fields"]) == {"current_password", "new_password"}
    assert error["fields"]["new_password"] == ["This password is too common; choose another."]


def test_an_address_change_names_every_bad_field_at_once(client, make_user):
    user = make_user()
    made = client.post("/api/v1/account/addresses", headers=user["headers"], json={
        "full_name": "Ada L", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB"})
    assert made.status_code == 201
    error = assert_error(client.patch(f"/api/v1/account/addresses/{made.get_json()['id']}", headers=user["headers"],
                                      json={"city": " ", "country": "", "phone": "call me"}), 422, "validation_error")
    assert set(error["fields"]) == {"city", "country", "phone"}


def test_own_sessions_are_paged_newest_first(client, make_user):
    user = make_user()
    for _ in range(2):  # three sessions in all: the test limit
        client.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]})
    first = client.get("/api/v1/auth/sessions?per_page=2", headers=user["headers"]).get_json()
    second = client.get("/api/v1/auth/sessions?per_page=2&page=2", headers=user["headers"]).get_json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (3, 2, 2, 1)
    # The oldest, on the last page, is the one asking.
    assert [s["current"] for s in first["items"] + second["items"]] == [False, False, True]
    assert second["items"][0]["id"] == user["session_id"]
