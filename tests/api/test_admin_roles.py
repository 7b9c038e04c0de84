"""Every role against every admin endpoint, as docs/api.md's table says: anonymous 401, customer 403,
each staff role 403 or a 2xx. Supervisors read everything and change nothing."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error

ROLES = ("customer", "product_manager", "operator", "supervisor", "admin")
ADMIN = {"admin"}
READERS = {"supervisor", "admin"}
ORDER_STAFF = {"operator", "supervisor", "admin"}
CATALOG_READERS = {"product_manager", "supervisor", "admin"}
STAFF = {"product_manager", "operator", "supervisor", "admin"}

# (method, path, body, roles allowed). Bodies are valid, so an allowed role gets a 2xx; {victim} is a
# fresh customer per case (so deletes and blocks hit someone harmless).
CASES = [
    ("get", "/admin/users", None, READERS),
    ("get", "/admin/users/{victim}", None, READERS),
    ("patch", "/admin/users/{victim}", {"is_active": False}, ADMIN),
    ("delete", "/admin/users/{victim}", None, ADMIN),
    ("post", "/admin/users/bulk", {"action": "deactivate", "user_ids": ["{victim}"]}, ADMIN),
    ("post", "/admin/users/purge-inactive", {"inactive_days": 36500}, ADMIN),
    ("post", "/admin/mail/test", {"to": "ops@example.test"}, ADMIN),
    ("get", "/admin/audit", None, READERS),
    ("get", "/admin/backups", None, ADMIN),
    ("get", "/admin/stats", None, ORDER_STAFF),
    ("get", "/admin/orders", None, ORDER_STAFF),
    ("get", "/admin/resources", None, STAFF),
    ("get", "/admin/resources/users", None, READERS),
    ("get", "/admin/resources/products", None, CATALOG_READERS),
    ("get", "/admin/resources/categories", None, CATALOG_READERS),
    ("get", "/admin/resources/offers", None, CATALOG_READERS),
    ("get", "/admin/resources/orders", None, ORDER_STAFF),
    ("get", "/admin/resources/coupons", None, CATALOG_READERS),
    ("get", "/admin/resources/shipping_methods", None, READERS),
    ("get", "/admin/resources/tax_rates", None, READERS),
    ("get", "/admin/resources/users/{victim}", None, READERS),
]


def _fill(value, victim):
    if isinstance(value, str):
        return int(victim) if value == "{victim}" else value.replace("{victim}", str(victim))
    if isinstance(value, list):
        return [_fill(v, victim) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, victim) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method, path, body, allowed", CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_every_role_against_every_admin_endpoint(client, make_user, method, path, body, allowed):
    for role in (None, *ROLES):
        victim = make_user()["id"]
        url, payload = "/api/v1" + _fill(path, victim), _fill(body, victim)
        kwargs = {"json": payload} if payload is not None else {}
        if role is None:
            assert_error(getattr(client, method)(url, **kwargs), 401, "unauthenticated")
            continue
        response = getattr(client, method)(url, headers=make_user(role)["headers"], **kwargs)
        if role in allowed:
            assert 200 <= response.status_code < 300, (role, response.status_code, response.get_json())
        else:
            assert_error(response, 403, "forbidden")


def test_backup_create_and_restore_are_admin_only(client, make_user):
    # Creating a backup for every role would be slow; the refusals are what matter here (the
    # admin's success is covered in test_admin_backups_api).
    for role in ("customer", "product_manager", "operator", "supervisor"):
        headers = make_user(role)["headers"]
        assert_error(client.post("/api/v1/admin/backups", headers=headers, json={}), 403, "forbidden")
        assert_error(client.post("/api/v1/admin/backups/1/restore", headers=headers), 403, "forbidden")
    assert_error(client.post("/api/v1/admin/backups", json={}), 401, "unauthenticated")


def test_resource_descriptors_follow_the_role(client, make_user):
    def described(role):
        items = client.get("/api/v1/admin/resources", headers=make_user(role)["headers"]).get_json()["items"]
        return {r["name"]: r["can_write"] for r in items}

    every = ["users", "products", "categories", "offers", "orders", "coupons", "shipping_methods", "tax_rates"]
    assert described("admin") == dict.fromkeys(every, True)
    assert described("supervisor") == dict.fromkeys(every, False)
    assert described("product_manager") == {"products": True, "categories": True, "offers": True, "coupons": True}
    assert described("operator") == {"orders": True}
    assert_error(client.get("/api/v1/admin/resources/tables", headers=make_user("admin")["headers"]), 404, "not_found")


SUPERVISOR_WRITES = [
    ("post", "/admin/users", {}), ("patch", "/admin/users/1", {"role": "admin"}), ("delete", "/admin/users/1", None),
    ("post", "/admin/users/bulk", {}), ("post", "/admin/users/purge-inactive", {}), ("post", "/admin/mail/test", {}),
    ("post", "/admin/backups", {}), ("post", "/admin/backups/1/restore", None),
    ("post", "/products", {}), ("patch", "/products/1", {}), ("delete", "/products/1", None),
    ("post", "/categories", {}), ("patch", "/categories/1", {}), ("delete", "/categories/1", None),
    ("post", "/offers", {}), ("patch", "/offers/1", {}), ("delete", "/offers/1", None),
    ("post", "/admin/orders/1/status", {"status": "shipped"}),
]


def test_a_supervisor_can_change_nothing(client, make_user):
    headers = make_user("supervisor")["headers"]
    for method, path, body in SUPERVISOR_WRITES:
        kwargs = {"json": body} if body is not None else {}
        assert_error(getattr(client, method)("/api/v1" + path, headers=headers, **kwargs), 403, "forbidden")


# Paths under /api/v1/admin that a lookup or the router would answer 404 (or 405) for: the staff area must
# not tell a customer which exist, so every one is 401/403 like the real ones next to them.
PROBES = [("get", "/admin/resources/users"), ("get", "/admin/resources/no-such-thing"),
          ("get", "/admin/resources/no-such-thing/1"), ("get", "/admin/resources/users/999999999"),
          ("get", "/admin/users/999999999"), ("get", "/admin/users/abc"), ("get", "/admin/no-such-area"),
          ("get", "/admin"), ("post", "/admin/backups/999999999/restore"), ("get", "/admin/backups/abc"),
          ("put", "/admin/users"), ("delete", "/admin/orders/1")]


@pytest.mark.parametrize("method, path", PROBES, ids=[f"{m} {p}" for m, p in PROBES])
def test_the_staff_area_answers_403_before_revealing_what_exists(client, make_user, method, path):
    url = "/api/v1" + path
    assert_error(getattr(client, method)(url), 401, "unauthenticated")
    assert_error(getattr(client, method)(url, headers=make_user()["headers"]), 403, "forbidden")


def test_staff_still_get_404_and_405_in_their_area(client, make_user):
    headers = make_user("admin")["headers"]
    assert_error(client.get("/api/v1/admin/resources/no-such-thing", headers=headers), 404, "not_found")
    assert_error(client.get("/api/v1/admin/no-such-area", headers=headers), 404, "not_found")
    assert_error(client.put("/api/v1/admin/users", headers=headers), 405, "method_not_allowed")
    assert_error(client.get("/api/v1/admin/resources/users/999999999", headers=headers), 404, "not_found")
