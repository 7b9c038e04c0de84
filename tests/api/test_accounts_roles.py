"""Roles: the one permission table, and every role against real endpoints of each kind."""
from __future__ import annotations

import re

import pytest

from backend.permissions import PERMISSIONS, ROLES, can
from tests.helpers import assert_error

# What docs/api.md grants each role; supervisors read every admin view and change nothing.
EXPECTED = {
    "customer": set(),
    "product_manager": {"catalog.write", "catalog.read_admin", "coupons.read", "coupons.write"},
    "operator": {"orders.read_admin", "orders.write_admin", "stats.read"},
    "supervisor": {"catalog.read_admin", "coupons.read", "orders.read_admin", "users.read", "audit.read",
                   "stats.read", "shipping.read", "tax.read"},
    "admin": set(PERMISSIONS),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_table(role):
    assert {p for p in PERMISSIONS if can(role, p)} == EXPECTED[role]
    assert not can(role, "no.such.permission")
    assert not can(None, "catalog.write")


def test_supervisor_holds_no_write_permission():
    assert not [p for p in PERMISSIONS if can("supervisor", p) and not p.endswith((".read", ".read_admin"))]


def _guarded_routes(app):
    """(method, url, permission) for every route guarded by @requires, ids filled with a missing id."""
    found = []
    for rule in app.url_map.iter_rules():
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if permission is None:
            continue
        url = re.sub(r"<(?:int:)?\w+>", "999999999", rule.rule)
        found += [(method, url, permission) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.fixture
def users_by_role(make_user):
    return {role: make_user(role) for role in ROLES}


def test_every_role_against_every_guarded_endpoint(app, client, users_by_role):
    routes = _guarded_routes(app)
    assert routes, "no route uses @requires"
    for method, url, permission in routes:
        body = {"json": {}} if method != "GET" else {}
        assert_error(client.open(url, method=method, **body), 401, "unauthenticated")
        for role, user in users_by_role.items():
            response = client.open(url, method=method, headers=user["headers"], **body)
            if not can(role, permission):
                assert_error(response, 403, "forbidden")
            elif method == "GET":  # reads are safe to run for real: the guard lets the role in
                assert response.status_code not in (401, 403), (role, method, url, response.status_code)


@pytest.mark.parametrize("url", ["/api/v1/account", "/api/v1/auth/me", "/api/v1/auth/sessions",
                                 "/api/v1/account/addresses"])
def test_every_role_reaches_its_own_account_and_anonymous_does_not(client, users_by_role, url):
    for user in users_by_role.values():
        assert client.get(url, headers=user["headers"]).status_code == 200
    assert_error(client.get(url), 401, "unauthenticated")


def test_every_role_and_anonymous_reach_public_endpoints(client, users_by_role):
    for headers in [{}] + [u["headers"] for u in users_by_role.values()]:
        assert client.get("/api/v1/products", headers=headers).status_code == 200
        assert client.get("/api/v1/health", headers=headers).status_code == 200
