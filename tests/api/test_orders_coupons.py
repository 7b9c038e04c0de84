"""Orders with a coupon: what the order keeps, the email line, the re-check at POST /orders (nothing charged when
it fails), uses given back on cancel and refund, deleted coupons, and the dashboard's coupons list."""
from __future__ import annotations

from datetime import timedelta

import pytest

from backend.clock import utcnow
from tests.conftest import uid
from tests.coupons_support import CountingGateway, add_coupon, apply, set_coupon, times_used
from tests.helpers import assert_error
from tests.orders_support import add_offer, add_product, order_body, stock_of


@pytest.fixture
def gateway(services, monkeypatch):
    counting = CountingGateway()
    monkeypatch.setattr(services.orders, "gateway", counting)
    return counting


def _fill(client, user, product: int, quantity: int) -> None:
    response = client.post("/api/v1/cart/items", json={"product_id": product, "quantity": quantity},
                           headers=user["headers"])
    assert response.status_code == 201, response.get_json()


def _place(client, user):
    return client.post("/api/v1/orders", json=order_body(), headers={**user["headers"], "Idempotency-Key": uid()})


def _row(db, sql, args):
    with db.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()


def _order_count(db, user_id: int) -> int:
    return _row(db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = %s", (user_id,))["n"]


def test_order_keeps_the_coupon_code_and_amount_and_uses_it(client, db, services, make_user, gateway):
    user, operator = make_user(), make_user("operator")
    on_offer, plain = add_product(db, "40.00", stock=10), add_product(db, "15.00", stock=10)
    add_offer(db, on_offer, "25")
    _fill(client, user, on_offer, 2)
    _fill(client, user, plain, 1)
    coupon = add_coupon(services, percent="10", max_uses=10)
    apply(client, coupon["code"].lower(), user["headers"])
    response = _place(client, user)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    # 95.00 at list prices, 20.00 off by the offer, 10% of the 75.00 left = 7.50; free shipping from 50.00.
    assert (order["subtotal"], order["discount_total"], order["shipping"], order["total"]) == (
        "95.00", "27.50", "0.00", "67.50")
    assert order["coupon"] == {"code": coupon["code"], "amount": "7.50"}
    assert client.get(f"/api/v1/orders/{order['id']}", headers=user["headers"]).get_json()["coupon"] == \
        order["coupon"]
    admin_view = client.get(f"/api/v1/admin/orders/{order['id']}", headers=operator["headers"]).get_json()
    assert admin_view["coupon"] == order["coupon"]
    row = _row(db, "SELECT coupon_id, coupon_code, coupon_amount, total FROM orders WHERE id = %s", (order["id"],))
    assert (row["coupon_id"], row["coupon_code"], str(row["coupon_amount"]), str(row["total"])) == (
        coupon["id"], coupon["code"], "7.50", "67.50")
    assert _row(db, "SELECT coupon_id, user_id FROM coupon_uses WHERE order_id = %s", (order["id"],)) == {
        "coupon_id": coupon["id"], "user_id": user["id"]}
    assert times_used(db, coupon["id"]) == 1
    assert gateway.authorized == 1 and gateway.voided == 0
    # The cart is empty and has lost the coupon: the next order starts without it.
    assert client.get("/api/v1/cart", headers=user["headers"]).get_json()["coupon"] is None
    mail = _row(db, "SELECT body_text FROM email_outbox WHERE to_addr = %s", (user["email"],))["body_text"]
    assert f"Coupon {coupon['code']}: -7.50" in mail.splitlines()
    assert "Discounts: -20.00" in mail.splitlines() and "Total: 67.50 USD" in mail.splitlines()


def test_an_order_without_a_coupon_has_none_and_no_email_line(client, db, make_user):
    user = make_user()
    _fill(client, user, add_product(db, "10.00"), 1)
    order = _place(client, user).get_json()
    assert order["coupon"] is None
    mail = _row(db, "SELECT body_text FROM email_outbox WHERE to_addr = %s", (user["email"],))["body_text"]
    assert "Coupon" not in mail


def test_per_user_limit_is_409_at_apply_and_at_order(client, db, services, make_user, gateway):
    user, other = make_user(), make_user()
    product = add_product(db, "20.00", stock=10)
    coupon = add_coupon(services, amount="5.00", max_uses_per_user=1)
    _fill(client, user, product, 1)
    apply(client, coupon["code"], user["headers"])
    assert _place(client, user).status_code == 201
    _fill(client, user, product, 1)
    error = assert_error(apply(client, coupon["code"], user["headers"]), 409, "coupon_exhausted")
    assert error["message"] == "You have used this coupon as many times as it allows."
    # Put on the cart before the first order (another tab, say): the summary flags it, the order refuses it.
    cart_id = _row(db, "SELECT id FROM carts WHERE user_id = %s", (user["id"],))["id"]
    with db.cursor() as cur:
        cur.execute("UPDATE carts SET coupon_id = %s WHERE id = %s", (coupon["id"], cart_id))
    summary = client.get("/api/v1/checkout/summary", headers=user["headers"]).get_json()
    assert summary["problems"] == [{"code": "coupon_exhausted"}]
    assert summary["coupon"] == {"code": coupon["code"], "amount": "0.00", "problem": "coupon_exhausted",
                                 "message": "You have used this coupon as many times as it allows."}
    assert_error(_place(client, user), 409, "coupon_exhausted")
    assert _order_count(db, user["id"]) == 1 and stock_of(db, product) == 9
    assert gateway.authorized == 1 and times_used(db, coupon["id"]) == 1
    # Another customer still may.
    _fill(client, other, product, 1)
    assert apply(client, coupon["code"], other["headers"]).status_code == 200
    assert _place(client, other).get_json()["coupon"] == {"code": coupon["code"], "amount": "5.00"}


def test_a_coupon_used_up_by_others_meanwhile_is_409_at_order(client, db, services, make_user, gateway):
    user = make_user()
    product = add_product(db, "20.00", stock=10)
    coupon = add_coupon(services, amount="5.00", max_uses=4)
    _fill(client, user, product, 1)
    apply(client, coupon["code"], user["headers"])
    set_coupon(db, coupon["id"], times_used=4)
    assert_error(_place(client, user), 409, "coupon_exhausted")
    assert _order_count(db, user["id"]) == 0 and stock_of(db, product) == 10 and gateway.authorized == 0


def test_coupon_expired_between_apply_and_order_is_422_and_nothing_is_charged(client, db, services, make_user,
                                                                                gateway, travel):
    user = make_user()
    product = add_product(db, "20.00", stock=10)
    coupon = add_coupon(services, percent="10", ends_at=utcnow().replace(microsecond=0) + timedelta(minutes=1))
    _fill(client, user, product, 3)
    apply(client, coupon["code"], user["headers"])
    before = client.get("/api/v1/cart", headers=user["headers"]).get_json()
    assert before["coupon"]["amount"] == "6.00"
    travel(timedelta(minutes=2))
    error = assert_error(_place(client, user), 422, "coupon_invalid")
    assert error["message"] == "This coupon has expired." and "fields" not in error  # the body has no coupon field
    assert _order_count(db, user["id"]) == 0 and gateway.authorized == 0
    assert stock_of(db, product) == 10 and times_used(db, coupon["id"]) == 0
    after = client.get("/api/v1/cart", headers=user["headers"]).get_json()
    assert after["items"] == before["items"]
    assert after["coupon"] == {"code": coupon["code"], "amount": "0.00", "problem": "coupon_invalid",
                               "message": "This coupon has expired."}
    # Taking the coupon off lets the order through at the full price.
    assert client.delete("/api/v1/cart/coupon", headers=user["headers"]).status_code == 204
    assert _place(client, user).get_json()["total"] == "60.00"


def test_cancel_and_refund_give_the_use_back(client, db, services, make_user):
    first, second, operator = make_user(), make_user(), make_user("operator")
    product = add_product(db, "30.00", stock=10)
    coupon = add_coupon(services, amount="3.00", max_uses=1, max_uses_per_user=1)

    _fill(client, first, product, 1)
    apply(client, coupon["code"], first["headers"])
    cancelled = _place(client, first).get_json()
    assert times_used(db, coupon["id"]) == 1
    _fill(client, second, product, 1)
    assert_error(apply(client, coupon["code"], second["headers"]), 409, "coupon_exhausted")
    assert client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=first["headers"]).status_code == 200
    assert times_used(db, coupon["id"]) == 0
    assert _row(db, "SELECT COUNT(*) AS n FROM coupon_uses WHERE order_id = %s", (cancelled["id"],))["n"] == 0
    # The cancelled order still says what it had.
    assert client.get(f"/api/v1/orders/{cancelled['id']}", headers=first["headers"]).get_json()["coupon"] == {
        "code": coupon["code"], "amount": "3.00"}

    assert apply(client, coupon["code"], second["headers"]).status_code == 200
    refunded = _place(client, second).get_json()
    assert times_used(db, coupon["id"]) == 1
    moved = client.post(f"/api/v1/admin/orders/{refunded['id']}/status", json={"status": "refunded"},
                        headers=operator["headers"])
    assert moved.status_code == 200 and times_used(db, coupon["id"]) == 0
    # The first customer's use was given back too: they may use it again.
    _fill(client, first, product, 1)
    assert apply(client, coupon["code"], first["headers"]).status_code == 200


def test_a_deleted_coupon_leaves_the_orders_code_and_amount(client, db, services, make_user):
    user, manager = make_user(), make_user("product_manager")
    _fill(client, user, add_product(db, "30.00", stock=10), 1)
    coupon = add_coupon(services, percent="50")
    apply(client, coupon["code"], user["headers"])
    order = _place(client, user).get_json()
    assert client.delete(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"]).status_code == 204
    kept = client.get(f"/api/v1/orders/{order['id']}", headers=user["headers"]).get_json()
    assert kept["coupon"] == {"code": coupon["code"], "amount": "15.00"} and kept["discount_total"] == "15.00"
    assert _row(db, "SELECT coupon_id FROM orders WHERE id = %s", (order["id"],))["coupon_id"] is None
    # Cancelling it later has no coupon to give back to, and works.
    assert client.post(f"/api/v1/orders/{order['id']}/cancel", headers=user["headers"]).status_code == 200


def test_dashboard_lists_the_coupons_used_by_sold_orders(client, db, services, make_user):
    admin, operator = make_user("admin"), make_user("operator")
    product = add_product(db, "100.00", stock=20)
    coupon = add_coupon(services, percent="20")
    orders = []
    for _ in range(3):
        buyer = make_user()
        _fill(client, buyer, product, 1)
        apply(client, coupon["code"], buyer["headers"])
        orders.append(_place(client, buyer).get_json())
    client.post(f"/api/v1/admin/orders/{orders[0]['id']}/status", json={"status": "cancelled"},
                headers=operator["headers"])
    stats = client.get("/api/v1/admin/stats", headers=admin["headers"]).get_json()
    assert {"code": coupon["code"], "orders": 2, "discount": "40.00"} in stats["coupons"]
    ranks = [(-entry["orders"], entry["code"]) for entry in stats["coupons"]]
    assert len(ranks) <= 10 and [r[0] for r in ranks] == sorted(r[0] for r in ranks)


def test_a_replayed_order_uses_the_coupon_once(client, db, services, make_user, gateway):
    user = make_user()
    _fill(client, user, add_product(db, "25.00", stock=10), 2)
    coupon = add_coupon(services, percent="100", max_uses=3)
    apply(client, coupon["code"], user["headers"])
    headers = {**user["headers"], "Idempotency-Key": uid()}
    first = client.post("/api/v1/orders", json=order_body(), headers=headers)
    again = client.post("/api/v1/orders", json=order_body(), headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    order = first.get_json()
    # All the merchandise is taken off; what is left is shipping (under 50.00 of merchandise after discounts).
    assert (order["subtotal"], order["discount_total"], order["shipping"], order["total"]) == (
        "50.00", "50.00", "4.99", "4.99")
    assert order["coupon"] == {"code": coupon["code"], "amount": "50.00"}
    assert times_used(db, coupon["id"]) == 1 and _order_count(db, user["id"]) == 1
