"""The cart of a guest (cookie) or a user, and saved-for-later, through the REST API."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error
from tests.orders_support import add_offer, add_product, set_product

CART_KEYS = {"items", "subtotal", "discount_total", "total", "currency", "item_count"}
LINE_KEYS = {"product_id", "name", "unit_price", "quantity", "line_total", "stock"}


def _line(cart: dict, product_id: int) -> dict:
    return next(line for line in cart["items"] if line["product_id"] == product_id)


def test_guest_cart_lives_behind_an_httponly_cookie(app, db):
    product = add_product(db, "12.50", stock=9)
    guest = app.test_client()
    response = guest.post("/api/v1/cart/items", json={"product_id": product, "quantity": 2})
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/cart"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sw_cart=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    cart = guest.get("/api/v1/cart").get_json()
    assert set(cart) >= CART_KEYS and set(cart["items"][0]) >= LINE_KEYS
    line = _line(cart, product)
    assert (line["quantity"], line["unit_price"], line["line_total"], line["stock"]) == (2, "12.50", "25.00", 9)
    assert (cart["subtotal"], cart["discount_total"], cart["total"], cart["item_count"]) == (
        "25.00", "0.00", "25.00", 2)
    assert cart["currency"] == "USD"
    # Another browser (no cookie) has an empty cart and is not given a cookie for looking.
    stranger = app.test_client().get("/api/v1/cart")
    assert stranger.get_json()["items"] == [] and "Set-Cookie" not in stranger.headers


def test_adding_again_adds_to_the_line_and_never_beyond_stock(client, db, make_user):
    user = make_user()
    product = add_product(db, "3.00", stock=5)
    client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 2}, headers=user["headers"])
    cart = client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 3},
                       headers=user["headers"]).get_json()
    assert _line(cart, product)["quantity"] == 5
    error = assert_error(client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1},
                                     headers=user["headers"]), 409, "insufficient_stock")
    assert error["products"] == [{"product_id": product, "requested": 6, "available": 5}]
    assert _line(client.get("/api/v1/cart", headers=user["headers"]).get_json(), product)["quantity"] == 5


def test_unknown_and_archived_products_are_404(client, db, make_user):
    user = make_user()
    archived = add_product(db, archived=True)
    for product_id in (archived, 999_999_999):
        assert_error(client.post("/api/v1/cart/items", json={"product_id": product_id, "quantity": 1},
                                 headers=user["headers"]), 404, "not_found")


@pytest.mark.parametrize("quantity", [0, -1, 2.5, "2", True, None, 100_001])
def test_quantity_must_be_a_positive_integer(client, db, make_user, quantity):
    user = make_user()
    product = add_product(db)
    error = assert_error(client.post("/api/v1/cart/items", json={"product_id": product, "quantity": quantity},
                                     headers=user["headers"]), 422, "validation_error")
    assert "quantity" in error["fields"]


def test_set_quantity_zero_removes_and_delete_clears(client, db, make_user):
    user = make_user()
    first, second, third = add_product(db, stock=4), add_product(db), add_product(db)
    for product in (first, second, third):
        client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1}, headers=user["headers"])
    cart = client.patch(f"/api/v1/cart/items/{first}", json={"quantity": 4}, headers=user["headers"]).get_json()
    assert _line(cart, first)["quantity"] == 4
    assert_error(client.patch(f"/api/v1/cart/items/{first}", json={"quantity": 5}, headers=user["headers"]),
                 409, "insufficient_stock")
    cart = client.patch(f"/api/v1/cart/items/{first}", json={"quantity": 0}, headers=user["headers"]).get_json()
    assert [line["product_id"] for line in cart["items"]] == [second, third]
    assert client.delete(f"/api/v1/cart/items/{second}", headers=user["headers"]).status_code == 204
    assert_error(client.delete(f"/api/v1/cart/items/{second}", headers=user["headers"]), 404, "not_found")
    assert client.delete("/api/v1/cart", headers=user["headers"]).status_code == 204
    assert client.get("/api/v1/cart", headers=user["headers"]).get_json()["items"] == []


def test_cart_shows_sale_prices_and_current_stock(client, db, make_user):
    user = make_user()
    product = add_product(db, "80.00", stock=10)
    client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 2}, headers=user["headers"])
    add_offer(db, product, "25")
    set_product(db, product, stock=1)
    cart = client.get("/api/v1/cart", headers=user["headers"]).get_json()
    line = _line(cart, product)
    assert (line["price"], line["sale_price"], line["unit_price"], line["line_total"]) == (
        "80.00", "60.00", "60.00", "120.00")
    assert (line["stock"], line["problem"]) == (1, "insufficient_stock")
    assert (cart["subtotal"], cart["discount_total"], cart["total"]) == ("160.00", "40.00", "120.00")


def test_save_for_later_and_move_back(client, db, make_user):
    user = make_user()
    product = add_product(db, "7.00", stock=3)
    client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 2}, headers=user["headers"])
    cart = client.post(f"/api/v1/cart/items/{product}/save", headers=user["headers"]).get_json()
    assert cart["items"] == []
    saved = client.get("/api/v1/saved", headers=user["headers"]).get_json()
    assert [(i["product_id"], i["quantity"], i["unit_price"]) for i in saved["items"]] == [(product, 2, "7.00")]
    assert (saved["page"], saved["total"]) == (1, 1)
    set_product(db, product, stock=1)
    cart = client.post(f"/api/v1/saved/{product}/move-to-cart", headers=user["headers"]).get_json()
    assert _line(cart, product)["quantity"] == 1  # capped at the stock left
    assert client.get("/api/v1/saved", headers=user["headers"]).get_json()["items"] == []
    assert_error(client.post(f"/api/v1/saved/{product}/move-to-cart", headers=user["headers"]), 404, "not_found")
    client.post(f"/api/v1/cart/items/{product}/save", headers=user["headers"])
    assert client.delete(f"/api/v1/saved/{product}", headers=user["headers"]).status_code == 204
    assert_error(client.delete(f"/api/v1/saved/{product}", headers=user["headers"]), 404, "not_found")


def test_saved_list_needs_a_login(app, db):
    guest = app.test_client()
    product = add_product(db)
    guest.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1})
    assert_error(guest.post(f"/api/v1/cart/items/{product}/save"), 401, "unauthenticated")
    assert_error(guest.get("/api/v1/saved"), 401, "unauthenticated")


def test_cookie_session_needs_csrf_for_cart_changes(app, db, make_user):
    user = make_user()
    product = add_product(db)
    browser = app.test_client()
    browser.set_cookie("sw_session", user["token"])
    assert_error(browser.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1}), 403, "csrf_failed")
    ok = browser.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1},
                      headers={"X-CSRF-Token": user["csrf_token"]})
    assert ok.status_code == 201


def test_cart_page_is_served(client):
    response = client.get("/cart")
    assert response.status_code == 200 and b"cart.js" in response.data
