"""Variant lines through the API: cart, saved items, guest merge, checkout summary, orders, cancel, offers."""
from __future__ import annotations

from decimal import Decimal

import pytest

from backend.context import SYSTEM
from tests.catalog_support import offer, product, variant
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import order_body


@pytest.fixture
def shirt(services):
    """A product at 20.00 with three variants: M / Red (own price 25.00, 3 left), L / Red (2 left), L / Blue (none)."""
    made = product(services, f"Shirt {uid()}", "20.00", 0)
    return {"id": made["id"],
            "m_red": variant(services, made["id"], {"Size": "M", "Colour": "Red"}, stock=3, price="25.00"),
            "l_red": variant(services, made["id"], {"Size": "L", "Colour": "Red"}, stock=2),
            "l_blue": variant(services, made["id"], {"Size": "L", "Colour": "Blue"}, stock=0)}


def _add(client, user, product_id, quantity=1, variant_id=None):
    body = {"product_id": product_id, "quantity": quantity}
    if variant_id is not None:
        body["variant_id"] = variant_id
    return client.post("/api/v1/cart/items", json=body, headers=user["headers"])


def _variant_stock(db, variant_id):
    with db.cursor() as cur:
        cur.execute("SELECT v.stock, p.stock AS product_stock FROM product_variants v "
                    "JOIN products p ON p.id = v.product_id WHERE v.id = %s", (variant_id,))
        row = cur.fetchone()
        return row["stock"], row["product_stock"]


def test_a_variant_line_carries_variant_id_sku_label_price_and_stock(client, make_user, shirt):
    user = make_user()
    response = _add(client, user, shirt["id"], 2, shirt["m_red"]["id"])
    assert response.status_code == 201, response.get_json()
    line = response.get_json()["items"][0]
    assert {k: line[k] for k in ("product_id", "variant_id", "sku", "variant_label", "unit_price", "quantity",
                                 "line_total", "stock")} == {
        "product_id": shirt["id"], "variant_id": shirt["m_red"]["id"], "sku": shirt["m_red"]["sku"],
        "variant_label": "M / Red", "unit_price": "25.00", "quantity": 2, "line_total": "50.00", "stock": 3}
    # Two variants of one product are two lines.
    cart = _add(client, user, shirt["id"], 1, shirt["l_red"]["id"]).get_json()
    assert [(i["variant_label"], i["unit_price"], i["quantity"]) for i in cart["items"]] == [
        ("M / Red", "25.00", 2), ("L / Red", "20.00", 1)]
    assert cart["total"] == "70.00"


def test_variant_id_is_required_and_must_belong_to_the_product(client, services, make_user, shirt):
    user = make_user()
    for variant_id in (None, 999_999_999, variant(services, product(services, f"Cap {uid()}")["id"], {"C": "x"})["id"]):
        response = _add(client, user, shirt["id"], 1, variant_id)
        assert_error(response, 422, "validation_error")
        assert list(response.get_json()["error"]["fields"]) == ["variant_id"]
    simple = product(services, f"Lamp {uid()}", "5.00", 3)
    response = _add(client, user, simple["id"], 1, shirt["l_red"]["id"])
    assert_error(response, 422, "validation_error")
    assert list(response.get_json()["error"]["fields"]) == ["variant_id"]
    # A simple product's line is as it always was, with null variant fields.
    line = _add(client, user, simple["id"], 1).get_json()["items"][0]
    assert (line["variant_id"], line["sku"], line["variant_label"], line["unit_price"]) == (None, None, None, "5.00")


def test_stock_is_per_variant(client, make_user, shirt):
    user = make_user()
    error = assert_error(_add(client, user, shirt["id"], 1, shirt["l_blue"]["id"]), 409, "insufficient_stock")
    assert error["products"] == [{"product_id": shirt["id"], "variant_id": shirt["l_blue"]["id"], "requested": 1,
                                  "available": 0}]
    _add(client, user, shirt["id"], 2, shirt["l_red"]["id"])
    assert_error(_add(client, user, shirt["id"], 1, shirt["l_red"]["id"]), 409, "insufficient_stock")
    assert _add(client, user, shirt["id"], 3, shirt["m_red"]["id"]).status_code == 201


def test_patch_delete_and_save_take_the_variant_in_the_query(client, make_user, shirt):
    user = make_user()
    pid, red, l_red = shirt["id"], shirt["m_red"]["id"], shirt["l_red"]["id"]
    _add(client, user, pid, 1, red)
    _add(client, user, pid, 1, l_red)
    cart = client.patch(f"/api/v1/cart/items/{pid}?variant_id={red}", json={"quantity": 3},
                        headers=user["headers"]).get_json()
    assert [(i["variant_id"], i["quantity"]) for i in cart["items"]] == [(red, 3), (l_red, 1)]
    assert_error(client.patch(f"/api/v1/cart/items/{pid}?variant_id={red}", json={"quantity": 4},
                              headers=user["headers"]), 409, "insufficient_stock")
    # Without variant_id it means the line of the product itself, which is not in the cart.
    assert_error(client.patch(f"/api/v1/cart/items/{pid}", json={"quantity": 1}, headers=user["headers"]),
                 404, "not_found")
    assert_error(client.delete(f"/api/v1/cart/items/{pid}?variant_id=abc", headers=user["headers"]),
                 422, "validation_error")
    cart = client.post(f"/api/v1/cart/items/{pid}/save?variant_id={l_red}", headers=user["headers"]).get_json()
    assert [i["variant_id"] for i in cart["items"]] == [red]
    saved = client.get("/api/v1/saved", headers=user["headers"]).get_json()["items"]
    assert [(s["variant_id"], s["sku"], s["variant_label"], s["price"]) for s in saved] == [
        (l_red, shirt["l_red"]["sku"], "L / Red", "20.00")]
    assert_error(client.post(f"/api/v1/saved/{pid}/move-to-cart", headers=user["headers"]), 404, "not_found")
    cart = client.post(f"/api/v1/saved/{pid}/move-to-cart?variant_id={l_red}", headers=user["headers"]).get_json()
    assert sorted(i["variant_id"] for i in cart["items"]) == sorted([red, l_red])
    client.post(f"/api/v1/cart/items/{pid}/save?variant_id={l_red}", headers=user["headers"])
    assert client.delete(f"/api/v1/saved/{pid}?variant_id={l_red}", headers=user["headers"]).status_code == 204
    assert client.delete(f"/api/v1/cart/items/{pid}?variant_id={red}", headers=user["headers"]).status_code == 204
    assert client.get("/api/v1/cart", headers=user["headers"]).get_json()["items"] == []


def test_guest_variant_lines_survive_login(client, make_user, shirt, services):
    guest = client.application.test_client()
    assert guest.post("/api/v1/cart/items", json={"product_id": shirt["id"], "variant_id": shirt["m_red"]["id"],
                                                  "quantity": 2}).status_code == 201
    user = make_user()
    login = guest.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]})
    assert login.status_code == 200, login.get_json()
    cart = client.get("/api/v1/cart", headers=user["headers"]).get_json()
    assert [(i["variant_id"], i["variant_label"], i["quantity"]) for i in cart["items"]] == [
        (shirt["m_red"]["id"], "M / Red", 2)]


def test_checkout_takes_variant_stock_and_the_order_keeps_sku_and_label(client, db, make_user, shirt, services):
    user = make_user()
    _add(client, user, shirt["id"], 2, shirt["m_red"]["id"])
    summary = client.get("/api/v1/checkout/summary", headers=user["headers"]).get_json()
    assert [(i["variant_id"], i["sku"], i["variant_label"], i["unit_price"]) for i in summary["items"]] == [
        (shirt["m_red"]["id"], shirt["m_red"]["sku"], "M / Red", "25.00")]
    assert summary["problems"] == []
    response = client.post("/api/v1/orders", json=order_body(), headers={**user["headers"], "Idempotency-Key": uid()})
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert [(i["variant_id"], i["sku"], i["variant_label"], i["unit_price"], i["quantity"])
            for i in order["items"]] == [(shirt["m_red"]["id"], shirt["m_red"]["sku"], "M / Red", "25.00", 2)]
    assert _variant_stock(db, shirt["m_red"]["id"]) == (1, 3)  # 3 + 2 + 0 before, the product's sum follows
    again = client.get(f"/api/v1/orders/{order['id']}", headers=user["headers"]).get_json()
    assert again["items"] == order["items"]
    admin = make_user("admin")
    listed = client.get(f"/api/v1/admin/orders/{order['id']}", headers=admin["headers"]).get_json()
    assert listed["items"][0]["variant_label"] == "M / Red"
    with db.cursor() as cur:
        cur.execute("SELECT body_text FROM email_outbox WHERE subject = %s",
                    (f"Your order #{order['id']} is confirmed",))
        assert "2 x " + services.products.get_product(shirt["id"])["name"] + " (M / Red) at 25.00" in \
            cur.fetchone()["body_text"]
    # Cancelling puts the units back on the variant and on the product's sum.
    assert client.post(f"/api/v1/orders/{order['id']}/cancel", headers=user["headers"]).status_code == 200
    assert _variant_stock(db, shirt["m_red"]["id"]) == (3, 5)


def test_a_variant_in_past_orders_is_archived_not_erased(client, db, make_user, shirt):
    user, staff = make_user(), make_user("product_manager")
    _add(client, user, shirt["id"], 1, shirt["l_red"]["id"])
    order = client.post("/api/v1/orders", json=order_body(),
                        headers={**user["headers"], "Idempotency-Key": uid()}).get_json()
    assert client.delete(f"/api/v1/products/{shirt['id']}/variants/{shirt['l_red']['id']}",
                         headers=staff["headers"]).status_code == 204
    with db.cursor() as cur:
        cur.execute("SELECT is_archived, options_key FROM product_variants WHERE id = %s", (shirt["l_red"]["id"],))
        assert cur.fetchone() == {"is_archived": 1, "options_key": None}
    detail = client.get(f"/api/v1/products/{shirt['id']}").get_json()
    assert [v["id"] for v in detail["variants"]] == [shirt["m_red"]["id"], shirt["l_blue"]["id"]]
    assert detail["stock"] == 3  # the archived variant's units are no longer on sale
    # The order still shows what was bought; the combination is free for a new variant.
    assert client.get(f"/api/v1/orders/{order['id']}", headers=user["headers"]).get_json()["items"][0][
        "variant_label"] == "L / Red"
    assert client.post(f"/api/v1/products/{shirt['id']}/variants", headers=staff["headers"], json={
        "sku": f"N-{uid()}", "options": {"Size": "L", "Colour": "Red"}, "stock": 1}).status_code == 201


def test_an_archived_variant_in_a_cart_is_a_problem_at_checkout(client, make_user, shirt, services):
    user = make_user()
    _add(client, user, shirt["id"], 1, shirt["l_red"]["id"])
    services.variants.delete_variant(SYSTEM, shirt["id"], shirt["m_red"]["id"])  # another one: erased
    other = make_user()
    _add(client, other, shirt["id"], 1, shirt["l_red"]["id"])
    client.post("/api/v1/orders", json=order_body(), headers={**other["headers"], "Idempotency-Key": uid()})
    services.variants.delete_variant(SYSTEM, shirt["id"], shirt["l_red"]["id"])  # in an order: archived
    summary = client.get("/api/v1/checkout/summary", headers=user["headers"]).get_json()
    assert summary["problems"] == [{"product_id": shirt["id"], "variant_id": shirt["l_red"]["id"],
                                    "code": "archived"}]
    error = assert_error(client.post("/api/v1/orders", json=order_body(),
                                     headers={**user["headers"], "Idempotency-Key": uid()}), 409, "insufficient_stock")
    assert error["products"] == [{"product_id": shirt["id"], "variant_id": shirt["l_red"]["id"], "requested": 1,
                                  "available": 0}]


def test_a_stale_line_cannot_grow_but_can_go(client, make_user, shirt, services):
    # A line whose variant was archived names variant_id when its quantity is raised; 0 removes it.
    user, other = make_user(), make_user()
    _add(client, user, shirt["id"], 1, shirt["l_red"]["id"])
    _add(client, other, shirt["id"], 1, shirt["l_red"]["id"])
    client.post("/api/v1/orders", json=order_body(), headers={**other["headers"], "Idempotency-Key": uid()})
    services.variants.delete_variant(SYSTEM, shirt["id"], shirt["l_red"]["id"])  # in an order: archived
    path = f"/api/v1/cart/items/{shirt['id']}?variant_id={shirt['l_red']['id']}"
    error = assert_error(client.patch(path, json={"quantity": 2}, headers=user["headers"]), 422, "validation_error")
    assert list(error["fields"]) == ["variant_id"]
    assert client.patch(path, json={"quantity": 0}, headers=user["headers"]).status_code == 200
    assert client.get("/api/v1/cart", headers=user["headers"]).get_json()["items"] == []


def test_variant_id_null_means_no_variant(client, make_user, services):
    user = make_user()
    simple = services.products.create_product(SYSTEM, {"name": f"Plain {uid()}", "price": Decimal("4.00"), "stock": 2})
    added = client.post("/api/v1/cart/items", json={"product_id": simple["id"], "variant_id": None, "quantity": 1},
                        headers=user["headers"])
    assert added.status_code == 201
    assert [(line["product_id"], line["variant_id"]) for line in added.get_json()["items"]] == [(simple["id"], None)]


def test_offers_apply_to_every_variant(client, services, shirt):
    now = services.products.now()
    offer(services, now, percent="10", product_id=shirt["id"])
    detail = client.get(f"/api/v1/products/{shirt['id']}").get_json()
    assert [(v["price"], v["sale_price"]) for v in detail["variants"]] == [
        ("25.00", "22.50"), ("20.00", "18.00"), ("20.00", "18.00")]
    assert (detail["price"], detail["sale_price"]) == ("20.00", "18.00")
    listed = client.get(f"/api/v1/products?q={detail['name'].split()[1]}").get_json()["items"]
    assert [(p["price"], p["sale_price"], p["stock"], p["in_stock"]) for p in listed] == [("20.00", "18.00", 5, True)]


def test_a_category_offer_prices_variants_in_the_cart(client, services, make_user):
    from tests.catalog_support import tree
    ids = tree(services, {"Clothes": {}})
    made = services.products.create_product(SYSTEM, {"name": f"Coat {uid()}", "price": Decimal("80.00"),
                                                     "stock": 0, "category_id": ids["Clothes"]})
    coat = variant(services, made["id"], {"Size": "S"}, stock=4, price="100.00")
    offer(services, services.products.now(), amount="15", category_id=ids["Clothes"])
    user = make_user()
    line = _add(client, user, made["id"], 1, coat["id"]).get_json()["items"][0]
    assert (line["price"], line["unit_price"], line["sale_price"]) == ("100.00", "85.00", "85.00")


def test_a_product_offer_must_leave_its_cheapest_variant_a_price(client, services, make_user):
    made = product(services, f"Phone {uid()}", "300.00", 0)
    variant(services, made["id"], {"Storage": "64 GB"}, stock=1, price="40.00")
    staff = make_user("product_manager")
    body = {"name": f"Big cut {uid()}", "amount_off": "50.00", "product_id": made["id"],
            "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}
    response = client.post("/api/v1/offers", headers=staff["headers"], json=body)
    assert_error(response, 422, "validation_error")
    assert response.get_json()["error"]["fields"] == {"amount_off": ["Must leave a price above zero; the product "
                                                                     "costs 40.00."]}
    assert client.post("/api/v1/offers", headers=staff["headers"], json={**body, "amount_off": "39.00"}
                       ).status_code == 201
