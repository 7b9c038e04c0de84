"""Coupon management: /coupons CRUD, the field rules (422 naming the field), unique codes, permissions, audit."""
from __future__ import annotations

import pytest

from tests.conftest import uid
from tests.helpers import assert_error


def new_code() -> str:
    return f"save-{uid()}"


def _create(client, user, **fields):
    body = {"code": new_code(), "percent_off": "10", **fields}
    return client.post("/api/v1/coupons", json=body, headers=user["headers"])


def test_create_read_update_delete(client, make_user):
    manager = make_user("product_manager")
    code = f"  summer_{uid()}-x "
    created = _create(client, manager, code=code, percent_off="12.5", min_subtotal="20",
                      starts_at="2026-01-01T00:00:00Z", ends_at="2026-12-31T12:00:00+02:00", max_uses=100,
                      max_uses_per_user=2)
    assert created.status_code == 201, created.get_json()
    coupon = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/coupons/{coupon['id']}")
    assert coupon["code"] == code.strip().upper()
    assert {k: coupon[k] for k in ("percent_off", "amount_off", "min_subtotal", "starts_at", "ends_at", "max_uses",
                                   "max_uses_per_user", "is_active", "times_used")} == {
        "percent_off": "12.50", "amount_off": None, "min_subtotal": "20.00", "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2026-12-31T10:00:00Z", "max_uses": 100, "max_uses_per_user": 2, "is_active": True,
        "times_used": 0}
    assert coupon["created_at"].endswith("Z") and coupon["updated_at"].endswith("Z")

    got = client.get(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"])
    assert got.status_code == 200 and got.get_json() == coupon

    # Switching kind: the new one, and null for the other.
    changed = client.patch(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"],
                           json={"amount_off": "5.00", "percent_off": None, "is_active": False})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["percent_off"], body["amount_off"], body["is_active"], body["code"]) == \
        (None, "5.00", False, coupon["code"])

    assert client.delete(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"]).status_code == 204
    assert_error(client.get(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"]), 404, "not_found")
    assert_error(client.delete(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"]), 404, "not_found")
    assert_error(client.patch(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"], json={"max_uses": 3}),
                 404, "not_found")


def test_list_is_paged_newest_first_and_filters_by_code(client, make_user):
    admin = make_user("admin")
    tag = uid()
    ids = [_create(client, admin, code=f"list_{tag}_{n}").get_json()["id"] for n in range(3)]
    _create(client, admin)
    page = client.get(f"/api/v1/coupons?q=list_{tag}&per_page=2", headers=admin["headers"]).get_json()
    assert [c["id"] for c in page["items"]] == [ids[2], ids[1]]
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (1, 2, 3, 2)
    second = client.get(f"/api/v1/coupons?q=LIST_{tag}&per_page=2&page=2", headers=admin["headers"]).get_json()
    assert [c["id"] for c in second["items"]] == [ids[0]]
    # _ in q is a literal underscore, not a LIKE wildcard.
    assert client.get(f"/api/v1/coupons?q=list{tag}", headers=admin["headers"]).get_json()["total"] == 0


@pytest.mark.parametrize(("body", "fields"), [
    ({"percent_off": "100.01"}, {"percent_off"}),
    ({"percent_off": "0"}, {"percent_off"}),
    ({"percent_off": "-5"}, {"percent_off"}),
    ({"percent_off": None, "amount_off": "0"}, {"amount_off"}),
    ({"percent_off": None, "amount_off": "-1.00"}, {"amount_off"}),
    ({"percent_off": None, "amount_off": "1.005"}, {"amount_off"}),
    ({"percent_off": None, "amount_off": "99999999999"}, {"amount_off"}),
    ({"amount_off": "5.00"}, {"percent_off", "amount_off"}),
    ({"percent_off": None}, {"percent_off", "amount_off"}),
    ({"code": "ab"}, {"code"}),
    ({"code": "x" * 41}, {"code"}),
    ({"code": "no spaces"}, {"code"}),
    ({"code": "ÄBC123"}, {"code"}),
    ({"code": "bad\ud800code"}, {"code"}),
    ({"code": None}, {"code"}),
    ({"code": 12345}, {"code"}),
    ({"starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"}, {"ends_at"}),
    ({"starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-02-01T00:00:00Z"}, {"ends_at"}),
    ({"starts_at": "yesterday"}, {"starts_at"}),
    ({"ends_at": "2026-13-40T00:00:00Z"}, {"ends_at"}),
    ({"min_subtotal": "-1"}, {"min_subtotal"}),
    ({"max_uses": 0}, {"max_uses"}),
    ({"max_uses": 2 ** 40}, {"max_uses"}),
    ({"max_uses_per_user": -1}, {"max_uses_per_user"}),
    ({"max_uses": "5"}, {"max_uses"}),
    ({"is_active": "yes"}, {"is_active"}),
    ({"colour": "red"}, {"colour"}),
])
def test_invalid_coupons_are_422_naming_the_fields(client, make_user, body, fields):
    manager = make_user("product_manager")
    error = assert_error(_create(client, manager, **body), 422, "validation_error")
    assert set(error["fields"]) == fields


def test_code_is_required(client, make_user):
    manager = make_user("product_manager")
    response = client.post("/api/v1/coupons", json={"percent_off": "10"}, headers=manager["headers"])
    assert set(assert_error(response, 422, "validation_error")["fields"]) == {"code"}


def test_patch_is_checked_as_the_whole_coupon_it_makes(client, make_user):
    manager = make_user("product_manager")
    coupon = _create(client, manager, starts_at="2026-01-01T00:00:00Z", ends_at="2026-02-01T00:00:00Z").get_json()
    url = f"/api/v1/coupons/{coupon['id']}"
    both = client.patch(url, json={"amount_off": "3.00"}, headers=manager["headers"])
    assert set(assert_error(both, 422, "validation_error")["fields"]) == {"percent_off", "amount_off"}
    early = client.patch(url, json={"ends_at": "2025-12-31T00:00:00Z"}, headers=manager["headers"])
    assert set(assert_error(early, 422, "validation_error")["fields"]) == {"ends_at"}
    over = client.patch(url, json={"percent_off": "101"}, headers=manager["headers"])
    assert set(assert_error(over, 422, "validation_error")["fields"]) == {"percent_off"}
    # Clearing the window and the limits is allowed.
    cleared = client.patch(url, json={"starts_at": None, "ends_at": None, "max_uses": None}, headers=manager["headers"])
    assert cleared.status_code == 200
    assert (cleared.get_json()["starts_at"], cleared.get_json()["ends_at"]) == (None, None)


def test_duplicate_codes_are_409_whatever_their_case(client, make_user):
    manager = make_user("product_manager")
    code = new_code()
    first = _create(client, manager, code=code.lower()).get_json()
    assert_error(_create(client, manager, code=f" {code.upper()} "), 409, "duplicate_code")
    other = _create(client, manager).get_json()
    assert_error(client.patch(f"/api/v1/coupons/{other['id']}", json={"code": code.title()},
                              headers=manager["headers"]), 409, "duplicate_code")
    # Its own code again is no conflict.
    same = client.patch(f"/api/v1/coupons/{first['id']}", json={"code": code}, headers=manager["headers"])
    assert same.status_code == 200 and same.get_json()["code"] == code.upper()


def test_permissions(client, make_user):
    manager, admin = make_user("product_manager"), make_user("admin")
    supervisor, operator, customer = make_user("supervisor"), make_user("operator"), make_user()
    coupon = _create(client, admin).get_json()
    url = f"/api/v1/coupons/{coupon['id']}"
    # Supervisors read and change nothing.
    assert client.get("/api/v1/coupons", headers=supervisor["headers"]).status_code == 200
    assert client.get(url, headers=supervisor["headers"]).status_code == 200
    assert_error(_create(client, supervisor), 403, "forbidden")
    assert_error(client.patch(url, json={"max_uses": 2}, headers=supervisor["headers"]), 403, "forbidden")
    assert_error(client.delete(url, headers=supervisor["headers"]), 403, "forbidden")
    for user in (customer, operator):
        assert_error(client.get("/api/v1/coupons", headers=user["headers"]), 403, "forbidden")
        assert_error(client.get(url, headers=user["headers"]), 403, "forbidden")
        assert_error(_create(client, user), 403, "forbidden")
        assert_error(client.delete(url, headers=user["headers"]), 403, "forbidden")
    assert_error(client.get("/api/v1/coupons"), 401, "unauthenticated")
    assert client.patch(url, json={"max_uses": 2}, headers=manager["headers"]).status_code == 200
    assert client.get(url, headers=admin["headers"]).get_json()["max_uses"] == 2


def test_writes_are_audited(client, make_user):
    manager, admin = make_user("product_manager"), make_user("admin")
    coupon = _create(client, manager, percent_off="15").get_json()
    client.patch(f"/api/v1/coupons/{coupon['id']}", json={"max_uses": 9}, headers=manager["headers"])
    client.delete(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"])
    events = client.get(f"/api/v1/admin/audit?actor_id={manager['id']}&per_page=10",
                        headers=admin["headers"]).get_json()["items"]
    assert [(e["action"], e["target_type"], e["target_id"]) for e in events] == [
        ("coupon.deleted", "coupon", str(coupon["id"])), ("coupon.updated", "coupon", str(coupon["id"])),
        ("coupon.created", "coupon", str(coupon["id"]))]
    assert events[0]["details"] == {"code": coupon["code"]}
    assert events[1]["details"] == {"max_uses": 9}
    assert events[2]["details"]["percent_off"] == "15.00"
