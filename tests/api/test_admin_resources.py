"""The admin panel's data: for each resource, search, paging, view, and add/edit/delete through the
endpoints its descriptor names (the public API's, so the same validation applies)."""
from __future__ import annotations

from datetime import timedelta

from backend.clock import iso, utcnow
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import add_product, order_body


def _descriptors(client, user):
    return {r["name"]: r for r in client.get("/api/v1/admin/resources", headers=user["headers"]).get_json()["items"]}


def _path(spec, row_id):
    method, _, path = spec.rpartition(" ")
    return (method or None), "/api/v1" + path.replace("{id}", str(row_id))


def _rows(client, user, name, q):
    response = client.get(f"/api/v1/admin/resources/{name}?q={q}", headers=user["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _round_trip(client, admin, name, create_body, patch_body, search):
    """Add, find by search, view, edit, delete one row as the panel does; returns the row id."""
    d = _descriptors(client, admin)[name]
    created = client.post("/api/v1" + d["create"], headers=admin["headers"], json=create_body)
    assert created.status_code == 201, created.get_json()
    row_id = created.get_json()["id"]
    found = _rows(client, admin, name, search)
    assert [r["id"] for r in found["items"]] == [row_id]
    view = client.get(f"/api/v1/admin/resources/{name}/{row_id}", headers=admin["headers"]).get_json()
    assert view["id"] == row_id
    method, path = _path(d["update"], row_id)
    changed = getattr(client, method.lower())(path, headers=admin["headers"], json=patch_body)
    assert changed.status_code == 200, changed.get_json()
    view = client.get(f"/api/v1/admin/resources/{name}/{row_id}", headers=admin["headers"]).get_json()
    for key, value in patch_body.items():
        assert str(view[key]) == str(value), (key, view[key])
    _, path = _path(d["delete"], row_id)
    assert client.delete(path, headers=admin["headers"]).status_code == 204
    return row_id


def test_categories_products_offers_users_row_operations(client, make_user, db):
    admin = make_user("admin")
    tag = uid()
    cat = _round_trip(client, admin, "categories", {"name": f"Cat {tag}"}, {"name": f"Cat {tag} renamed"}, tag)
    assert_error(client.get(f"/api/v1/admin/resources/categories/{cat}", headers=admin["headers"]), 404, "not_found")
    _round_trip(client, admin, "products", {"name": f"Prod {tag}", "price": "12.50", "stock": 3},
                {"price": "9.99", "stock": 7}, f"Prod {tag}")
    product = add_product(db, name=f"Offer target {tag}")
    now = utcnow()
    _round_trip(client, admin, "offers",
                {"name": f"Offer {tag}", "percent_off": "10", "product_id": product,
                 "starts_at": iso(now), "ends_at": iso(now + timedelta(days=1))},
                {"name": f"Offer {tag} b"}, f"Offer {tag}")
    _round_trip(client, admin, "users",
                {"email": f"row-{tag}@example.test", "username": f"row_{tag}", "password": "long-enough-pw",
                 "role": "customer"}, {"role": "operator"}, f"row_{tag}")


def test_coupons_shipping_methods_tax_rates_row_operations(client, make_user):
    admin = make_user("admin")
    tag = uid()
    _round_trip(client, admin, "coupons", {"code": f"rt-{tag}", "percent_off": "10"},
                {"max_uses": 5, "percent_off": "12.50"}, f"RT-{tag}")
    _round_trip(client, admin, "shipping_methods",
                {"name": f"Ship {tag}", "price": "5.00", "countries": ["GB"], "min_days": 1, "max_days": 3},
                {"price": "6.00", "min_days": 2}, f"Ship {tag}")
    _round_trip(client, admin, "tax_rates", {"country": "TV", "rate": "15.00"}, {"rate": "7.50"}, "TV")
    # A method's countries are one text column, as the panel's form edits them ("*" = everywhere).
    made = client.post("/api/v1/shipping-methods", headers=admin["headers"], json={
        "name": f"Both {tag}", "price": "1.00", "countries": ["IE", "GB"], "min_days": 0, "max_days": 1})
    assert made.status_code == 201, made.get_json()
    assert [r["countries"] for r in _rows(client, admin, "shipping_methods", f"Both {tag}")["items"]] == ["GB, IE"]
    assert client.delete(f"/api/v1/shipping-methods/{made.get_json()['id']}", headers=admin["headers"]).status_code \
        == 204



def test_checkbox_columns_are_booleans(client, make_user):
    """is_active is TINYINT in the database; the panel lists and views it as true/false, as it edits it."""
    admin = make_user("admin")
    coupon = client.post("/api/v1/coupons", headers=admin["headers"],
                         json={"code": f"flag-{uid()}", "percent_off": "5", "is_active": False}).get_json()
    [row] = _rows(client, admin, "coupons", coupon["code"])["items"]
    assert row["is_active"] is False
    view = client.get(f"/api/v1/admin/resources/users/{admin['id']}", headers=admin["headers"]).get_json()
    assert view["is_active"] is True


def test_the_public_validation_applies_to_panel_writes(client, make_user):
    admin = make_user("admin")
    d = _descriptors(client, admin)
    error = assert_error(client.post("/api/v1" + d["products"]["create"], headers=admin["headers"],
                                     json={"name": "", "price": "-1"}), 422, "validation_error")
    assert {"name", "price"} <= set(error["fields"])
    error = assert_error(client.post("/api/v1" + d["users"]["create"], headers=admin["headers"],
                                     json={"email": "bad", "username": "x", "password": "p"}), 422, "validation_error")
    assert {"email", "username", "password"} <= set(error["fields"])


def test_orders_are_searched_viewed_and_moved_along_but_never_added_or_deleted(client, make_user, db):
    admin, buyer = make_user("admin"), make_user()
    product = add_product(db, stock=3)
    client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1}, headers=buyer["headers"])
    placed = client.post("/api/v1/orders", json=order_body(), headers={**buyer["headers"], "Idempotency-Key": uid()})
    order_id = placed.get_json()["id"]
    d = _descriptors(client, admin)["orders"]
    assert (d["create"], d["delete"], d["create_fields"]) == (None, None, [])
    found = _rows(client, admin, "orders", buyer["email"])
    assert [r["id"] for r in found["items"]] == [order_id]
    assert found["items"][0]["total"] == placed.get_json()["total"]
    method, path = _path(d["update"], order_id)
    moved = getattr(client, method.lower())(path, headers=admin["headers"], json={"status": "shipped"})
    assert moved.status_code == 200
    assert client.get(f"/api/v1/admin/resources/orders/{order_id}", headers=admin["headers"]).get_json()["status"] \
        == "shipped"
    # The orders service's rules hold in the panel too: shipped cannot go back to pending.
    back = getattr(client, method.lower())(path, headers=admin["headers"], json={"status": "pending"})
    assert_error(back, 409, "illegal_status_change")


def test_search_is_literal_and_paged(client, make_user, db):
    admin = make_user("admin")
    tag = uid()
    ids = [add_product(db, name=f"Paged {tag} {n}") for n in range(5)]
    page = client.get(f"/api/v1/admin/resources/products?q=Paged {tag}&per_page=2&page=3",
                      headers=admin["headers"]).get_json()
    assert (page["total"], page["pages"], [r["id"] for r in page["items"]]) == (5, 3, [ids[0]])
    assert _rows(client, admin, "products", f"Paged_{tag}")["total"] == 0  # "_" is not a wildcard
    assert_error(client.get("/api/v1/admin/resources/products?per_page=500", headers=admin["headers"]),
                 422, "validation_error")
