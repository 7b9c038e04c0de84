"""The audit log: an event for every kind (admin actions, logins, failed logins, password resets,
order state changes, unexpected errors with their request id), its filters, and retention."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Blueprint

from backend.app import create_app
from backend.clock import iso, utcnow
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import add_product, order_body


def _events(client, admin, **filters):
    query = "&".join(f"{k}={v}" for k, v in {"per_page": 100, **filters}.items())
    response = client.get(f"/api/v1/admin/audit?{query}", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_admin_actions_are_audited_with_actor_and_details(client, make_user):
    admin, target = make_user("admin"), make_user()
    client.patch(f"/api/v1/admin/users/{target['id']}", headers=admin["headers"], json={"role": "operator"})
    client.post("/api/v1/admin/users/bulk", headers=admin["headers"],
                json={"action": "deactivate", "user_ids": [target["id"]]})
    client.post("/api/v1/admin/mail/test", headers=admin["headers"], json={"to": "audit@example.test"})
    mine = _events(client, admin, actor_id=admin["id"])
    assert [e["action"] for e in mine] == ["mail.test", "users.bulk_deactivate", "user.role_change"]
    role_change = mine[2]
    assert (role_change["target_type"], role_change["target_id"]) == ("user", str(target["id"]))
    assert role_change["details"] == {"from": "customer", "to": "operator"}
    assert role_change["actor_username"] == admin["username"]
    assert mine[1]["details"] == {"affected": 1, "user_ids": [target["id"]]}


def test_logins_failed_logins_and_password_resets_are_audited(client, make_user, db, services):
    admin = make_user("admin")
    password = "a-good-long-password"
    user = make_user(password=password)
    assert client.post("/api/v1/auth/login", json={"login": user["email"], "password": "wrong-one"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"login": user["username"], "password": password}).status_code == 200
    assert client.post("/api/v1/auth/password/forgot", json={"email": user["email"]}).status_code == 202
    services.auth.prepare_requested_mail()
    with db.cursor() as cur:
        cur.execute("SELECT body_text FROM email_outbox WHERE to_addr = %s ORDER BY id DESC LIMIT 1", (user["email"],))
        token = re.search(r"token=([\w-]+)", cur.fetchone()["body_text"]).group(1)
    response = client.post("/api/v1/auth/password/reset", json={"token": token, "password": f"new-{uid()}-secret"})
    assert response.status_code == 204, response.get_json()
    actions = [e["action"] for e in _events(client, admin, actor_id=user["id"])]
    for expected in ("auth.login_failed", "auth.login", "auth.password_reset_requested", "auth.password_reset"):
        assert expected in actions, actions
    failed = _events(client, admin, actor_id=user["id"], action="auth.login_failed")
    assert len(failed) == 1 and failed[0]["ip"] == "127.0.0.1"
    # No secret ever reaches the log.
    assert "wrong-one" not in str(failed) and token not in str(_events(client, admin, actor_id=user["id"]))


def test_order_state_changes_are_audited(client, make_user, db):
    admin, operator, buyer = make_user("admin"), make_user("operator"), make_user()
    product_id = add_product(db, stock=5)
    client.post("/api/v1/cart/items", json={"product_id": product_id, "quantity": 1}, headers=buyer["headers"])
    order = client.post("/api/v1/orders", json=order_body(), headers={**buyer["headers"], "Idempotency-Key": uid()})
    assert order.status_code == 201, order.get_json()
    order_id = order.get_json()["id"]
    response = client.post(f"/api/v1/admin/orders/{order_id}/status", headers=operator["headers"],
                           json={"status": "shipped"})
    assert response.status_code == 200, response.get_json()
    changes = _events(client, admin, actor_id=operator["id"], action="order.status_changed")
    assert [(e["target_id"], e["details"]["to"]) for e in changes] == [(str(order_id), "shipped")]


@pytest.fixture(scope="module")
def boom_app(settings):
    """An app with one endpoint that fails unexpectedly (subscribed to the audit log like any app)."""
    app = create_app(settings=settings)
    bp = Blueprint("boom", __name__)

    @bp.get("/api/v1/_admin_boom")
    def boom():
        raise RuntimeError("secret detail that must not be logged")

    app.register_blueprint(bp)
    return app


def test_unexpected_errors_become_audit_events_with_their_request_id(boom_app, client, make_user):
    admin = make_user("admin")
    request_id = f"boom-{uid()}"
    response = boom_app.test_client().get("/api/v1/_admin_boom", headers={"X-Request-ID": request_id})
    assert assert_error(response, 500, "internal_error")["request_id"] == request_id
    events = [e for e in _events(client, admin, action="server.error") if e["request_id"] == request_id]
    assert len(events) == 1
    assert events[0]["details"] == {"error": "RuntimeError", "method": "GET", "path": "/api/v1/_admin_boom"}
    assert "secret" not in str(events[0])


def test_a_failing_audit_write_does_not_hide_the_error(settings):
    # The database is unreachable: the audit event cannot be written, the 500 answer still comes.
    app = create_app(settings=replace(settings, db_port=1, db_connect_timeout=1))
    bp = Blueprint("boom2", __name__)

    @bp.get("/api/v1/_admin_boom2")
    def boom():
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    response = app.test_client().get("/api/v1/_admin_boom2", headers={"X-Request-ID": "no-db-12345678"})
    assert assert_error(response, 500, "internal_error")["request_id"] == "no-db-12345678"


def test_filters_since_and_paging(client, make_user):
    admin, target = make_user("admin"), make_user()
    for role in ("operator", "customer", "operator"):
        client.patch(f"/api/v1/admin/users/{target['id']}", headers=admin["headers"], json={"role": role})
    page = client.get(f"/api/v1/admin/audit?actor_id={admin['id']}&per_page=2&page=2", headers=admin["headers"])
    body = page.get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (3, 2, 1)
    assert body["items"][0]["details"] == {"from": "customer", "to": "operator"}
    future = iso(utcnow() + timedelta(minutes=5))
    assert _events(client, admin, actor_id=admin["id"], since=future) == []
    assert_error(client.get("/api/v1/admin/audit?since=yesterday", headers=admin["headers"]), 422, "validation_error")
