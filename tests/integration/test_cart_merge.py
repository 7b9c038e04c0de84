"""A guest cart joins the user's cart at login: quantities added, capped at stock, guest cart gone."""
from __future__ import annotations

from datetime import timedelta

from backend.services.cart import CartOwner
from backend.tokens import hash_token, new_token
from tests.orders_support import add_product, set_product


def _guest_cart_exists(db, token: str) -> bool:
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM carts WHERE guest_token_hash = %s", (hash_token(token),))
        return cur.fetchone()["n"] == 1


def _quantities(cart: dict) -> dict[int, int]:
    return {line["product_id"]: line["quantity"] for line in cart["items"]}


def test_merge_adds_quantities_capped_at_stock_and_drops_the_guest_cart(services, db, make_user):
    user = make_user()
    both, guest_only, capped, archived = (add_product(db, stock=10) for _ in range(4))
    token = new_token()
    guest, member = CartOwner(guest_token=token), CartOwner(user_id=user["id"])
    services.cart.add_item(member, both, 2)
    services.cart.add_item(member, capped, 4)
    services.cart.add_item(guest, both, 3)
    services.cart.add_item(guest, guest_only, 1)
    services.cart.add_item(guest, capped, 5)
    services.cart.add_item(guest, archived, 1)
    set_product(db, capped, stock=6)
    set_product(db, archived, is_archived=1)

    assert services.cart.merge_guest_cart(token, user["id"]) == 3
    assert _quantities(services.cart.get_cart(member)) == {both: 5, capped: 6, guest_only: 1}
    assert not _guest_cart_exists(db, token)
    assert services.cart.get_cart(guest)["items"] == []
    # Merging again (a second login with the stale cookie) changes nothing.
    assert services.cart.merge_guest_cart(token, user["id"]) == 0
    assert services.cart.get_cart(member)["item_count"] == 12


def test_guest_cart_survives_login_through_the_api(app, db, make_user):
    user = make_user()
    first, second = add_product(db, stock=5), add_product(db, stock=5)
    browser = app.test_client()
    browser.post("/api/v1/cart/items", json={"product_id": first, "quantity": 2})
    browser.post("/api/v1/cart/items", json={"product_id": second, "quantity": 1})
    token = browser.get_cookie("sw_cart").value
    login = browser.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]})
    assert login.status_code == 200, login.get_json()
    assert browser.get_cookie("sw_cart") is None
    assert not _guest_cart_exists(db, token)
    cart = browser.get("/api/v1/cart").get_json()
    assert _quantities(cart) == {first: 2, second: 1}


def test_a_logged_in_request_still_carrying_a_guest_cookie_merges_it(app, services, db, make_user):
    user = make_user()
    product = add_product(db, stock=5)
    token = new_token()
    services.cart.add_item(CartOwner(guest_token=token), product, 2)
    browser = app.test_client()
    browser.set_cookie("sw_cart", token)
    cart = browser.get("/api/v1/cart", headers=user["headers"])
    assert _quantities(cart.get_json()) == {product: 2}
    assert "sw_cart=;" in cart.headers["Set-Cookie"]
    assert not _guest_cart_exists(db, token)


def test_every_cart_write_touches_the_cart_so_the_cleanup_keeps_it(services, db, travel):
    product = add_product(db, stock=5)
    token = new_token()
    services.cart.add_item(CartOwner(guest_token=token), product, 1)
    later = travel(timedelta(days=20))
    services.cart.add_item(CartOwner(guest_token=token), product, 1)
    with db.cursor() as cur:
        cur.execute("SELECT updated_at FROM carts WHERE guest_token_hash = %s", (hash_token(token),))
        assert cur.fetchone()["updated_at"] == later.replace(microsecond=0)
