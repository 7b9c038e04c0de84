"""Checkout summary, placing orders, order history and order states through the REST API."""
from __future__ import annotations

import logging

import pytest

from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import (
    ADDRESS,
    DECLINED_CARD,
    GOOD_CARD,
    add_offer,
    add_product,
    order_body,
    set_product,
    stock_of,
)

ORDER_KEYS = {"id", "status", "items", "subtotal", "discount_total", "shipping", "total", "currency",
              "shipping_address", "payment", "created_at"}


def _fill(client, user, *lines):
    for product_id, quantity in lines:
        response = client.post("/api/v1/cart/items", json={"product_id": product_id, "quantity": quantity},
                               headers=user["headers"])
        assert response.status_code == 201, response.get_json()


def _place(client, user, key=None, **body):
    headers = {**user["headers"], "Idempotency-Key": key or uid()}
    return client.post("/api/v1/orders", json=order_body(**body), headers=headers)


def _rows(db, sql, args):
    with db.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def test_place_order_copies_the_cart_takes_stock_and_answers_the_order(client, db, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    cheap, dear = add_product(db, "9.50", stock=10), add_product(db, "20.00", stock=3)
    _fill(client, user, (cheap, 2), (dear, 3))
    response = _place(client, user)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert set(order) >= ORDER_KEYS
    assert response.headers["Location"] == f"/api/v1/orders/{order['id']}"
    assert order["status"] == "paid"
    assert [(i["product_id"], i["quantity"], i["unit_price"], i["line_total"]) for i in order["items"]] == [
        (cheap, 2, "9.50", "19.00"), (dear, 3, "20.00", "60.00")]
    assert (order["subtotal"], order["discount_total"], order["shipping"], order["total"]) == (
        "79.00", "0.00", "0.00", "79.00")
    assert order["payment"] == {"brand": "visa", "last4": "4242"}
    assert order["shipping_address"]["city"] == "Springfield" and order["created_at"].endswith("Z")
    assert (stock_of(db, cheap), stock_of(db, dear)) == (8, 0)
    assert client.get("/api/v1/cart", headers=user["headers"]).get_json()["items"] == []
    assert client.get(f"/api/v1/orders/{order['id']}", headers=user["headers"]).get_json() == order
    mail = _rows(db, "SELECT subject, body_text FROM email_outbox WHERE to_addr = %s", (user["email"],))
    assert [m["subject"] for m in mail] == [f"Your order #{order['id']} is confirmed"]
    assert "79.00" in mail[0]["body_text"] and "4242424242424242" not in mail[0]["body_text"]
    audit = _rows(db, "SELECT actor_id FROM audit_log WHERE action = 'order.placed' AND target_id = %s",
                  (str(order["id"]),))
    assert [a["actor_id"] for a in audit] == [user["id"]]
    # The full card number and CVC are nowhere: not in any table we write, not in the logs.
    for table, column in (("orders", "shipping_address"), ("payments", "reference"), ("audit_log", "details"),
                          ("idempotency_keys", "request_hash"), ("email_outbox", "body_text")):
        hits = _rows(db, f"SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE %s", ("%4242424242424242%",))
        assert hits[0]["n"] == 0, table
    assert "4242424242424242" not in caplog.text and "4242 4242" not in caplog.text


def test_shipping_is_charged_below_the_free_threshold_and_discounts_count(client, db, make_user):
    user = make_user()
    product = add_product(db, "40.00", stock=5)
    add_offer(db, product, "50")
    _fill(client, user, (product, 1))
    summary = client.get("/api/v1/checkout/summary", headers=user["headers"]).get_json()
    assert (summary["subtotal"], summary["discount_total"], summary["shipping"], summary["total"]) == (
        "40.00", "20.00", "4.99", "24.99")
    assert summary["problems"] == [] and summary["currency"] == "USD"
    order = _place(client, user).get_json()
    assert (order["items"][0]["unit_price"], order["shipping"], order["total"]) == ("20.00", "4.99", "24.99")


def test_summary_lists_problems_instead_of_failing(client, db, make_user):
    user = make_user()
    gone, short, archived, fine = (add_product(db, stock=5) for _ in range(4))
    _fill(client, user, (gone, 1), (short, 3), (archived, 1), (fine, 1))
    set_product(db, gone, stock=0)
    set_product(db, short, stock=2)
    set_product(db, archived, is_archived=1)
    summary = client.get("/api/v1/checkout/summary", headers=user["headers"]).get_json()
    assert sorted((p["product_id"], p["code"]) for p in summary["problems"]) == sorted([
        (gone, "out_of_stock"), (short, "insufficient_stock"), (archived, "archived")])
    error = assert_error(_place(client, user), 409, "insufficient_stock")
    assert sorted(p["product_id"] for p in error["products"]) == sorted([gone, short, archived])
    assert stock_of(db, fine) == 5


def test_idempotency_key_is_required(client, make_user):
    user = make_user()
    response = client.post("/api/v1/orders", json=order_body(), headers=user["headers"])
    assert_error(response, 400, "idempotency_key_required")


def test_same_key_same_body_answers_the_same_order_and_another_body_409(client, db, make_user):
    user = make_user()
    product = add_product(db, "5.00", stock=10)
    _fill(client, user, (product, 2))
    first = _place(client, user, key="key-1")
    again = _place(client, user, key="key-1")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert (first.headers["Idempotent-Replayed"], again.headers["Idempotent-Replayed"]) == ("false", "true")
    assert stock_of(db, product) == 8
    other = _place(client, user, key="key-1", shipping_address={**ADDRESS, "city": "Shelbyville"})
    assert_error(other, 409, "idempotency_key_reused")
    # The key is per user: another user may use the same string.
    stranger = make_user()
    _fill(client, stranger, (product, 1))
    assert _place(client, stranger, key="key-1").get_json()["id"] != first.get_json()["id"]


def test_declined_card_changes_nothing(client, db, make_user):
    user = make_user()
    product = add_product(db, "15.00", stock=4)
    _fill(client, user, (product, 2))
    assert_error(_place(client, user, key="k-declined", payment=DECLINED_CARD), 402, "payment_declined")
    assert stock_of(db, product) == 4
    cart = client.get("/api/v1/cart", headers=user["headers"]).get_json()
    assert [(i["product_id"], i["quantity"]) for i in cart["items"]] == [(product, 2)]
    assert client.get("/api/v1/orders", headers=user["headers"]).get_json()["total"] == 0
    assert _rows(db, "SELECT COUNT(*) AS n FROM idempotency_keys WHERE user_id = %s", (user["id"],))[0]["n"] == 0
    # The same key may then pay with a good card.
    assert _place(client, user, key="k-declined").status_code == 201


@pytest.mark.parametrize(("payment", "field"), [
    ({**GOOD_CARD, "card_number": "4242424242424241"}, "payment.card_number"),
    ({**GOOD_CARD, "card_number": "4242-abcd"}, "payment.card_number"),
    # Digits to str.isdigit but not to int() (superscript two), and Luhn-valid digits of another script.
    ({**GOOD_CARD, "card_number": "4242424242424\u00b242"}, "payment.card_number"),
    ({**GOOD_CARD, "card_number": "4242424242424242".translate(str.maketrans("0123456789", "\u0660\u0661\u0662"
                                                                               "\u0663\u0664\u0665\u0666\u0667\u0668\u0669"))},
     "payment.card_number"),
    ({**GOOD_CARD, "exp_year": 2020}, "payment.exp_year"),
    ({**GOOD_CARD, "exp_month": 13}, "payment.exp_month"),
    ({**GOOD_CARD, "cvc": "12"}, "payment.cvc"),
    ({k: v for k, v in GOOD_CARD.items() if k != "cardholder"}, "payment.cardholder"),
])
def test_bad_cards_are_422_with_the_field(client, db, make_user, payment, field):
    user = make_user()
    product = add_product(db, stock=3)
    _fill(client, user, (product, 1))
    error = assert_error(_place(client, user, payment=payment), 422, "validation_error")
    assert field in error["fields"]
    assert "4242424242424241" not in str(error)
    assert stock_of(db, product) == 3


def test_every_card_problem_is_named_at_once(client, db, make_user):
    user = make_user()
    product = add_product(db, stock=3)
    _fill(client, user, (product, 1))
    payment = {**GOOD_CARD, "card_number": "4242424242424241", "exp_year": 2020, "cvc": "12", "cardholder": ""}
    error = assert_error(_place(client, user, payment=payment), 422, "validation_error")
    assert set(error["fields"]) == {"payment.card_number", "payment.exp_year", "payment.cvc", "payment.cardholder"}
    assert error["fields"]["payment.exp_year"] == ["This card has expired."]
    assert stock_of(db, product) == 3


def test_address_and_card_problems_come_in_one_answer(client, db, make_user):
    user = make_user()
    product = add_product(db, stock=3)
    _fill(client, user, (product, 1))
    both = assert_error(_place(client, user, address_id=1, payment={**GOOD_CARD, "cvc": "1"}), 422, "validation_error")
    assert set(both["fields"]) == {"shipping_address", "payment.cvc"}
    bad = assert_error(_place(client, user, shipping_address={**ADDRESS, "city": ""}), 422, "validation_error")
    assert set(bad["fields"]) == {"shipping_address.city"}  # a bad address is not also a missing one


def test_address_rules(client, db, make_user):
    user = make_user()
    product = add_product(db, stock=3)
    _fill(client, user, (product, 1))
    both = assert_error(_place(client, user, address_id=1), 422, "validation_error")
    assert "shipping_address" in both["fields"]
    missing = client.post("/api/v1/orders", json={"address_id": 999_999_999, "payment": GOOD_CARD},
                          headers={**user["headers"], "Idempotency-Key": uid()})
    assert "address_id" in assert_error(missing, 422, "validation_error")["fields"]
    bad = assert_error(_place(client, user, shipping_address={**ADDRESS, "city": ""}), 422, "validation_error")
    assert "shipping_address.city" in bad["fields"]


def test_saved_address_is_copied_into_the_order(client, db, make_user):
    user = make_user()
    with db.cursor() as cur:
        cur.execute("INSERT INTO addresses (user_id, full_name, line1, city, postal_code, country) "
                    "VALUES (%s, 'Ada L', '2 Side St', 'Gotham', '999', 'GB')", (user["id"],))
        address_id = cur.lastrowid
    product = add_product(db, stock=3)
    _fill(client, user, (product, 1))
    order = client.post("/api/v1/orders", json={"address_id": address_id, "payment": GOOD_CARD},
                        headers={**user["headers"], "Idempotency-Key": uid()}).get_json()
    assert order["shipping_address"] == {"full_name": "Ada L", "line1": "2 Side St", "line2": "", "city": "Gotham",
                                         "postal_code": "999", "country": "GB", "phone": ""}
    other = make_user()
    _fill(client, other, (product, 1))
    response = client.post("/api/v1/orders", json={"address_id": address_id, "payment": GOOD_CARD},
                           headers={**other["headers"], "Idempotency-Key": uid()})
    assert_error(response, 422, "validation_error")


def test_empty_cart_is_409(client, make_user):
    assert_error(_place(client, make_user()), 409, "cart_empty")


def test_order_keeps_the_price_paid_after_the_product_changes(client, db, make_user):
    user = make_user()
    product = add_product(db, "30.00", stock=5, name=f"Lamp {uid()}")
    _fill(client, user, (product, 2))
    order = _place(client, user).get_json()
    set_product(db, product, price="99.00")
    with db.cursor() as cur:
        cur.execute("UPDATE products SET name = 'Renamed' WHERE id = %s", (product,))
    again = client.get(f"/api/v1/orders/{order['id']}", headers=user["headers"]).get_json()
    assert (again["items"][0]["unit_price"], again["items"][0]["name"], again["total"]) == (
        "30.00", order["items"][0]["name"], "60.00")


def test_order_history_is_newest_first_paged_with_items(client, db, make_user):
    user = make_user()
    ids = []
    for n in range(3):
        product = add_product(db, "60.00", stock=5)
        _fill(client, user, (product, n + 1))
        ids.append(_place(client, user).get_json()["id"])
    page = client.get("/api/v1/orders?per_page=2", headers=user["headers"]).get_json()
    assert (page["total"], page["pages"], page["page"]) == (3, 2, 1)
    assert [o["id"] for o in page["items"]] == [ids[2], ids[1]]
    assert [o["items"][0]["quantity"] for o in page["items"]] == [3, 2]
    second = client.get("/api/v1/orders?per_page=2&page=2", headers=user["headers"]).get_json()
    assert [o["id"] for o in second["items"]] == [ids[0]]


def test_users_cannot_see_or_cancel_each_others_orders(client, db, make_user):
    owner, other = make_user(), make_user()
    product = add_product(db, stock=5)
    _fill(client, owner, (product, 1))
    order = _place(client, owner).get_json()
    assert_error(client.get(f"/api/v1/orders/{order['id']}", headers=other["headers"]), 404, "not_found")
    assert_error(client.post(f"/api/v1/orders/{order['id']}/cancel", headers=other["headers"]), 404, "not_found")
    listing = client.get("/api/v1/orders", headers=other["headers"]).get_json()
    assert order["id"] not in [o["id"] for o in listing["items"]]
    assert client.get(f"/api/v1/orders/{order['id']}", headers=owner["headers"]).get_json()["status"] == "paid"
    assert_error(client.get("/api/v1/orders"), 401, "unauthenticated")


def test_cancel_restocks_once(client, db, make_user):
    user = make_user()
    product = add_product(db, stock=5)
    _fill(client, user, (product, 3))
    order = _place(client, user).get_json()
    assert stock_of(db, product) == 2
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", headers=user["headers"])
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert stock_of(db, product) == 5
    assert_error(client.post(f"/api/v1/orders/{order['id']}/cancel", headers=user["headers"]), 409,
                 "illegal_status_change")
    assert stock_of(db, product) == 5


def test_staff_move_orders_along_legal_moves_only(client, db, make_user):
    customer, operator, supervisor = make_user(), make_user("operator"), make_user("supervisor")
    product = add_product(db, stock=5)
    _fill(client, customer, (product, 1))
    order = _place(client, customer).get_json()

    def move(status, who=operator):
        return client.post(f"/api/v1/admin/orders/{order['id']}/status", json={"status": status},
                           headers=who["headers"])

    assert_error(move("shipped", supervisor), 403, "forbidden")
    assert_error(move("shipped", customer), 403, "forbidden")
    assert_error(move("delivered"), 409, "illegal_status_change")
    assert_error(move("teleported"), 422, "validation_error")
    assert move("shipped").get_json()["status"] == "shipped"
    assert_error(move("cancelled"), 409, "illegal_status_change")
    assert_error(move("paid"), 409, "illegal_status_change")
    assert move("delivered").get_json()["status"] == "delivered"
    refunded = move("refunded").get_json()
    assert (refunded["status"], refunded["user"]["email"]) == ("refunded", customer["email"])
    assert_error(move("shipped"), 409, "illegal_status_change")
    assert_error(client.post(f"/api/v1/orders/{order['id']}/cancel", headers=customer["headers"]), 409,
                 "illegal_status_change")
    subjects = [r["subject"] for r in _rows(db, "SELECT subject FROM email_outbox WHERE to_addr = %s ORDER BY id",
                                            (customer["email"],))]
    assert subjects[1:] == [f"Your order #{order['id']} is now {s}" for s in ("shipped", "delivered", "refunded")]
    audit = _rows(db, "SELECT actor_id, details FROM audit_log WHERE action = 'order.status_changed' "
                      "AND target_id = %s ORDER BY id", (str(order["id"]),))
    assert [a["actor_id"] for a in audit] == [operator["id"]] * 3
    assert '"to": "refunded"' in audit[-1]["details"]


def test_admin_cancel_restocks_and_admin_lists_filter(client, db, make_user):
    customer, admin, supervisor = make_user(full_name=f"Zed {uid()}"), make_user("admin"), make_user("supervisor")
    product = add_product(db, stock=5)
    _fill(client, customer, (product, 2))
    order = _place(client, customer).get_json()
    moved = client.post(f"/api/v1/admin/orders/{order['id']}/status", json={"status": "cancelled"},
                        headers=admin["headers"])
    assert moved.get_json()["status"] == "cancelled" and stock_of(db, product) == 5
    listing = client.get(f"/api/v1/admin/orders?status=cancelled&q={customer['email']}",
                         headers=supervisor["headers"]).get_json()
    assert [o["id"] for o in listing["items"]] == [order["id"]] and listing["total"] == 1
    assert listing["items"][0]["user"]["email"] == customer["email"]
    assert client.get(f"/api/v1/admin/orders?status=paid&q={customer['email']}",
                      headers=supervisor["headers"]).get_json()["total"] == 0
    by_id = client.get(f"/api/v1/admin/orders?q={order['id']}", headers=supervisor["headers"]).get_json()
    assert order["id"] in [o["id"] for o in by_id["items"]]
    detail = client.get(f"/api/v1/admin/orders/{order['id']}", headers=supervisor["headers"])
    assert detail.get_json()["items"][0]["product_id"] == product
    assert_error(client.get("/api/v1/admin/orders", headers=customer["headers"]), 403, "forbidden")
    assert_error(client.get("/api/v1/admin/orders?status=lost", headers=admin["headers"]), 422, "validation_error")
    assert_error(client.get("/api/v1/admin/orders/999999999", headers=admin["headers"]), 404, "not_found")


# Long enough to match no name or email of the shared test database (other tests store orders of their own).
@pytest.mark.parametrize("q", ["\u00b2" * 12, "\u0661\u0662" * 6, "99999999999999999999", "1e300000"])
def test_admin_order_search_takes_any_text(client, make_user, q):
    # An id is searched only for ASCII digits: "\u00b2" passes str.isdigit and then failed int() (a 500).
    listing = client.get("/api/v1/admin/orders", query_string={"q": q}, headers=make_user("admin")["headers"])
    # (What it finds depends on the collation: utf8mb4 compares "\u00b2" equal to "2" in names and emails.)
    assert listing.status_code == 200, listing.get_data(as_text=True)
    assert isinstance(listing.get_json()["items"], list)


def test_checkout_and_thanks_pages_are_served(client):
    assert b"checkout.js" in client.get("/checkout").data
    thanks = client.get("/orders/42/thanks")
    assert thanks.status_code == 200 and b"42" in thanks.data


def test_openapi_describes_the_cart_and_order_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    place = paths["/orders"]["post"]
    assert place["responses"]["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Order"}
    assert {"400", "402", "409", "422"} <= set(place["responses"])
    assert "/cart" in paths and "/checkout/summary" in paths and "/admin/orders/{order_id}/status" in paths
    assert set(paths["/cart/items/{product_id}"]) == {"patch", "delete"}
