"""Real concurrency against the real database: a coupon is never used more than max_uses times."""
from __future__ import annotations

from collections import Counter

from tests.conftest import uid
from tests.coupons_support import CountingGateway, add_coupon, apply, times_used
from tests.integration.test_orders_concurrency import _run_together
from tests.orders_support import add_product, order_body, stock_of


def test_twelve_buyers_race_for_five_uses_of_a_coupon(app, db, services, make_user, monkeypatch):
    gateway = CountingGateway()
    monkeypatch.setattr(services.orders, "gateway", gateway)
    product = add_product(db, "30.00", stock=100)
    coupon = add_coupon(services, amount="5.00", max_uses=5)
    buyers = [make_user() for _ in range(12)]
    client = app.test_client()
    for buyer in buyers:
        added = client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1},
                            headers=buyer["headers"])
        assert added.status_code == 201
        assert apply(client, coupon["code"], buyer["headers"]).status_code == 200

    def buy(i: int):
        # Each buyer their own client (session cookie jar), user, cart and key.
        response = app.test_client().post("/api/v1/orders", json=order_body(),
                                          headers={**buyers[i]["headers"], "Idempotency-Key": uid()})
        body = response.get_json()
        return response.status_code, (body.get("error") or {}).get("code") or body["coupon"]["code"]

    results = _run_together(12, buy)
    assert Counter(results) == Counter({(201, coupon["code"]): 5, (409, "coupon_exhausted"): 7})
    assert times_used(db, coupon["id"]) == 5
    assert stock_of(db, product) == 95
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM orders WHERE coupon_code = %s", (coupon["code"],))
        assert cur.fetchone()["n"] == 5
        cur.execute("SELECT COUNT(*) AS n FROM coupon_uses WHERE coupon_id = %s", (coupon["id"],))
        assert cur.fetchone()["n"] == 5
    # Nothing charged for the refused ones: every authorization that did not become an order was voided.
    assert gateway.authorized - gateway.voided == 5
