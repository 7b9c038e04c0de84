"""A guest cart joins the user's cart at login: quantities added, capped at stock, guest cart gone; and in the
login's own transaction, so the session and the merged cart appear together or not at all."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from backend.services.cart import CartOwner
from backend.tokens import hash_token, new_token
from tests.conftest import uid
from tests.coupons_support import add_coupon
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

    # A request of the user that still sends the guest cookie merges that cart first, in its own transaction.
    answer = services.cart.get_cart(CartOwner(user_id=user["id"], guest_token=token))
    assert _quantities(answer.cart) == {both: 5, capped: 6, guest_only: 1}
    assert answer.guest_cart_merged and answer.new_guest_token is None
    assert not _guest_cart_exists(db, token)
    assert services.cart.get_cart(guest).cart["items"] == []
    # Merging again (a second request with the stale cookie) changes nothing.
    assert services.cart.get_cart(CartOwner(user_id=user["id"], guest_token=token)).cart["item_count"] == 12


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


def _user_with_a_guest_cookie(app, services, db, make_user):
    """A user whose browser still sends the cookie of a guest cart holding 2 of a product."""
    user = make_user()
    product = add_product(db, stock=5)
    token = new_token()
    services.cart.add_item(CartOwner(guest_token=token), product, 2)
    browser = app.test_client()
    browser.set_cookie("sw_cart", token)
    return user, product, token, browser


def test_a_logged_in_request_still_carrying_a_guest_cookie_merges_it(app, services, db, make_user):
    user, product, token, browser = _user_with_a_guest_cookie(app, services, db, make_user)
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


@contextmanager
def _cart_lines_of(db, product_id: int) -> Iterator[None]:
    """While open, the database refuses every new cart line of product_id (a real failure half-way through a
    merge, raised by the server itself rather than by a mock)."""
    trigger = f"refuse_cart_line_{uid()}"
    with db.cursor() as cur:
        cur.execute(f"CREATE TRIGGER {trigger} BEFORE INSERT ON cart_items FOR EACH ROW "
                    f"IF NEW.product_id = {int(product_id)} THEN "
                    "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF")
    try:
        yield
    finally:
        with db.cursor() as cur:
            cur.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def _login_traces(db, user_id: int) -> dict:
    """What a login leaves behind: sessions, last_login_at, auth.login audit events, the user's cart lines."""
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM sessions WHERE user_id = %s", (user_id,))
        sessions = cur.fetchone()["n"]
        cur.execute("SELECT last_login_at FROM users WHERE id = %s", (user_id,))
        last_login = cur.fetchone()["last_login_at"]
        cur.execute("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = %s AND action = 'auth.login'", (user_id,))
        logins = cur.fetchone()["n"]
        cur.execute("SELECT ci.product_id, ci.quantity, c.coupon_id FROM carts c "
                    "LEFT JOIN cart_items ci ON ci.cart_id = c.id WHERE c.user_id = %s", (user_id,))
        cart = cur.fetchall()
    return {"sessions": sessions, "last_login_at": last_login, "logins": logins, "cart": cart}


def test_a_login_whose_cart_merge_fails_half_way_leaves_nothing_behind(app, services, db, make_user):
    user = make_user()
    first, second = add_product(db, stock=5), add_product(db, stock=5)
    coupon = add_coupon(services, percent="10")
    browser = app.test_client()
    browser.post("/api/v1/cart/items", json={"product_id": first, "quantity": 2})
    browser.post("/api/v1/cart/items", json={"product_id": second, "quantity": 1})
    assert browser.post("/api/v1/cart/coupon", json={"code": coupon["code"]}).status_code == 200
    token = browser.get_cookie("sw_cart").value
    before = _login_traces(db, user["id"])
    credentials = {"login": user["email"], "password": user["password"]}

    # The merge writes the coupon and the first line, then the database refuses the second line.
    with _cart_lines_of(db, second):
        failed = browser.post("/api/v1/auth/login", json=credentials)
    assert failed.status_code == 500
    # Not half a login: no session, no login recorded, no line or coupon moved, the guest cart and its cookie whole.
    assert _login_traces(db, user["id"]) == before
    assert _guest_cart_exists(db, token) and browser.get_cookie("sw_cart").value == token
    assert _quantities(services.cart.get_cart(CartOwner(guest_token=token)).cart) == {first: 2, second: 1}

    # The same login once the database accepts the lines: the session and the whole cart, coupon included.
    login = browser.post("/api/v1/auth/login", json=credentials)
    assert login.status_code == 200, login.get_json()
    after = _login_traces(db, user["id"])
    assert after["sessions"] == before["sessions"] + 1 and after["logins"] == before["logins"] + 1
    assert sorted((row["product_id"], row["quantity"], row["coupon_id"]) for row in after["cart"]) == [
        (first, 2, coupon["id"]), (second, 1, coupon["id"])]
    assert not _guest_cart_exists(db, token) and browser.get_cookie("sw_cart") is None


def test_a_cart_request_that_fails_after_merging_a_leftover_guest_cart_undoes_the_merge(app, services, db, make_user):
    user, product, token, browser = _user_with_a_guest_cookie(app, services, db, make_user)
    # The merge and the add are one transaction: the unknown product's 404 takes the merge back, and the cookie
    # stays (its cart is still there) for the next request to merge.
    missing = browser.post("/api/v1/cart/items", json={"product_id": 999_999_999, "quantity": 1},
                           headers=user["headers"])
    assert missing.status_code == 404 and "Set-Cookie" not in missing.headers
    assert _guest_cart_exists(db, token) and browser.get_cookie("sw_cart").value == token
    assert services.cart.get_cart(CartOwner(user_id=user["id"])).cart["items"] == []

    added = browser.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1}, headers=user["headers"])
    assert added.status_code == 201 and _quantities(added.get_json()) == {product: 3}
    assert browser.get_cookie("sw_cart") is None and not _guest_cart_exists(db, token)


def test_a_guest_whose_first_add_fails_gets_no_cookie(app):
    guest = app.test_client()
    missing = guest.post("/api/v1/cart/items", json={"product_id": 999_999_999, "quantity": 1})
    assert missing.status_code == 404 and guest.get_cookie("sw_cart") is None


def test_two_merges_of_one_guest_cookie_at_once_add_its_lines_once(services, db, make_user):
    user = make_user()
    product = add_product(db, stock=50)
    token = new_token()
    services.cart.add_item(CartOwner(guest_token=token), product, 3)
    # The first merge holds the guest cart's row lock until it commits; the second, started meanwhile (a login and
    # a request still sending the cookie), waits for it and then finds the guest cart gone.
    first, second = services.db.uow(), services.db.uow()
    with first as one:
        services.cart.merge_in(one, token, user["id"])
        waiting = threading.Thread(target=_merge_in_own_unit, args=(services, second, token, user["id"]))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # blocked on the lock, not merging the same lines again
        one.commit()
    waiting.join(10)
    assert not waiting.is_alive()
    assert _quantities(services.cart.get_cart(CartOwner(user_id=user["id"])).cart) == {product: 3}


def _merge_in_own_unit(services, unit, token: str, user_id: int) -> None:
    with unit as uow:
        services.cart.merge_in(uow, token, user_id)
        uow.commit()
