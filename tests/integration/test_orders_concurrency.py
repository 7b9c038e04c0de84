"""Real concurrency against the real database: no overselling, and one order per Idempotency-Key."""
from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

from backend.context import SYSTEM
from tests.catalog_support import product as new_product
from tests.catalog_support import variant
from tests.conftest import uid
from tests.orders_support import add_product, order_body, stock_of


def _run_together(count: int, work) -> list:
    """Run work(i) in count threads released at the same moment; returns their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _sold(db, product_id: int) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(quantity), 0) AS n FROM order_items WHERE product_id = %s", (product_id,))
        return int(cur.fetchone()["n"])


def test_fifty_buyers_race_for_the_last_five_units(app, db, make_user):
    product = add_product(db, "19.99", stock=5)
    buyers = [make_user() for _ in range(50)]
    client = app.test_client()
    for buyer in buyers:
        added = client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1},
                            headers=buyer["headers"])
        assert added.status_code == 201

    def buy(i: int):
        response = app.test_client().post("/api/v1/orders", json=order_body(),
                                          headers={**buyers[i]["headers"], "Idempotency-Key": uid()})
        return response.status_code, (response.get_json().get("error") or {}).get("code")

    results = _run_together(50, buy)
    assert Counter(results) == Counter({(201, None): 5, (409, "insufficient_stock"): 45})
    assert stock_of(db, product) == 0
    assert _sold(db, product) == 5


def test_twenty_simultaneous_repeats_of_one_key_make_one_order(app, db, make_user):
    product = add_product(db, "5.00", stock=100)
    buyer = make_user()
    client = app.test_client()
    client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 3}, headers=buyer["headers"])
    headers = {**buyer["headers"], "Idempotency-Key": f"repeat-{uid()}"}

    def place(_: int):
        response = app.test_client().post("/api/v1/orders", json=order_body(), headers=headers)
        return response.status_code, response.get_json()

    results = _run_together(20, place)
    assert {status for status, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert stock_of(db, product) == 97 and _sold(db, product) == 3
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM orders WHERE user_id = %s", (buyer["id"],))
        assert cur.fetchone()["n"] == 1


def test_multi_line_orders_in_opposite_orders_do_not_deadlock(app, db, make_user):
    first, second = add_product(db, stock=1000), add_product(db, stock=1000)
    buyers = [make_user() for _ in range(16)]
    client = app.test_client()
    for n, buyer in enumerate(buyers):
        # Half the carts list the products one way round, half the other.
        for product in ((first, second) if n % 2 else (second, first)):
            client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 2}, headers=buyer["headers"])

    def buy(i: int) -> int:
        return app.test_client().post("/api/v1/orders", json=order_body(),
                                      headers={**buyers[i]["headers"], "Idempotency-Key": uid()}).status_code

    assert _run_together(16, buy) == [201] * 16
    assert (stock_of(db, first), stock_of(db, second)) == (968, 968)
    assert (_sold(db, first), _sold(db, second)) == (32, 32)


def test_two_checkouts_of_one_cart_with_different_keys_place_one_order(app, db, make_user):
    product = add_product(db, "8.00", stock=50)
    buyer = make_user()
    app.test_client().post("/api/v1/cart/items", json={"product_id": product, "quantity": 4},
                           headers=buyer["headers"])

    def place(_: int):
        response = app.test_client().post("/api/v1/orders", json=order_body(),
                                          headers={**buyer["headers"], "Idempotency-Key": uid()})
        return response.status_code, (response.get_json().get("error") or {}).get("code")

    assert Counter(_run_together(6, place)) == Counter({(201, None): 1, (409, "cart_empty"): 5})
    assert stock_of(db, product) == 46 and _sold(db, product) == 4


def _variant_stocks(db, product_id: int) -> tuple[dict[int, int], int]:
    with db.cursor() as cur:
        cur.execute("SELECT id, stock FROM product_variants WHERE product_id = %s", (product_id,))
        variants = {row["id"]: row["stock"] for row in cur.fetchall()}
    return variants, stock_of(db, product_id)


def _sold_variant(db, variant_id: int) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(quantity), 0) AS n FROM order_items WHERE variant_id = %s", (variant_id,))
        return int(cur.fetchone()["n"])


def test_buyers_race_for_the_last_units_of_a_variant(app, db, make_user, services):
    # 30 buyers want the 4 left of one variant while 10 buy its sibling's 10: exactly the stock of each is sold.
    shirt = new_product(services, f"Shirt {uid()}", "15.00", 0)
    scarce = variant(services, shirt["id"], {"Size": "M"}, stock=4)
    plenty = variant(services, shirt["id"], {"Size": "L"}, stock=10)
    buyers = [make_user() for _ in range(40)]
    client = app.test_client()
    for n, buyer in enumerate(buyers):
        wanted = scarce if n < 30 else plenty
        added = client.post("/api/v1/cart/items", json={"product_id": shirt["id"], "variant_id": wanted["id"],
                                                        "quantity": 1}, headers=buyer["headers"])
        assert added.status_code == 201, added.get_json()

    def buy(i: int):
        response = app.test_client().post("/api/v1/orders", json=order_body(),
                                          headers={**buyers[i]["headers"], "Idempotency-Key": uid()})
        return i < 30, response.status_code, (response.get_json().get("error") or {}).get("code")

    results = _run_together(40, buy)
    assert Counter(results) == Counter({(True, 201, None): 4, (True, 409, "insufficient_stock"): 26,
                                        (False, 201, None): 10})
    assert _variant_stocks(db, shirt["id"]) == ({scarce["id"]: 0, plenty["id"]: 0}, 0)
    assert (_sold_variant(db, scarce["id"]), _sold_variant(db, plenty["id"])) == (4, 10)


def test_checkouts_and_variant_edits_at_once_do_not_deadlock(app, db, make_user, services):
    # Carts with a variant and a simple product in either order, while staff change the variant: every
    # checkout and every edit goes through (one lock order: product, then its variants), and the stock adds up.
    shirt = new_product(services, f"Shirt {uid()}", "15.00", 0)
    shirt_m = variant(services, shirt["id"], {"Size": "M"}, stock=500)
    simple = add_product(db, stock=500)
    buyers = [make_user() for _ in range(12)]
    client = app.test_client()
    for n, buyer in enumerate(buyers):
        lines = [{"product_id": shirt["id"], "variant_id": shirt_m["id"], "quantity": 2},
                 {"product_id": simple, "quantity": 2}]
        for line in (lines if n % 2 else lines[::-1]):
            assert client.post("/api/v1/cart/items", json=line, headers=buyer["headers"]).status_code == 201

    def work(i: int):
        if i >= 12:
            changed = services.variants.update_variant(SYSTEM, shirt["id"], shirt_m["id"],
                                                       {"price": Decimal(f"{16 + i}.00")})
            return changed["sku"] == shirt_m["sku"]
        return app.test_client().post("/api/v1/orders", json=order_body(),
                                      headers={**buyers[i]["headers"], "Idempotency-Key": uid()}).status_code

    assert _run_together(16, work) == [201] * 12 + [True] * 4
    assert _variant_stocks(db, shirt["id"]) == ({shirt_m["id"]: 476}, 476)
    assert stock_of(db, simple) == 476 and _sold_variant(db, shirt_m["id"]) == 24
