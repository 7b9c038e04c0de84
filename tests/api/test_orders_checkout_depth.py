"""Offers, a coupon, a shipping method and tax in one checkout: the money rules' order (list price -> offers ->
coupon -> shipping -> tax) seen from outside, the same figures on the summary, the order, its history and email."""
from __future__ import annotations

from dataclasses import replace

import pytest

from backend.app import create_app
from tests.conftest import uid
from tests.coupons_support import add_coupon, apply
from tests.orders_support import ADDRESS, add_offer, add_product, order_body
from tests.shipping_support import BASE, add_method, add_rate, clean_shipping_and_tax  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_shipping_and_tax")
FIGURES = ("subtotal", "discount_total", "shipping", "tax_rate", "tax_total", "total")


@pytest.fixture
def shop(client, services, make_user):
    """GB at 20%; Standard 5.00 free from 100.00; a 10% coupon for carts from 100.00 (at list prices)."""
    admin = make_user("admin")
    add_rate(client, admin, "GB", "20.00")
    return {"standard": add_method(client, admin, name="Standard", price="5.00", free_from="100.00"),
            "coupon": add_coupon(services, percent="10", min_subtotal="100.00")}


@pytest.fixture
def cart(client, db, make_user, shop):
    """A user's cart: 80.00 at 25% off (60.00) and 30.00, with the coupon: 110.00 at list prices."""
    user = make_user()
    for price, percent in (("80.00", "25"), ("30.00", None)):
        product = add_product(db, price, stock=5)
        if percent:
            add_offer(db, product, percent)
        response = client.post(f"{BASE}/cart/items", json={"product_id": product, "quantity": 1},
                               headers=user["headers"])
        assert response.status_code == 201, response.get_json()
    assert apply(client, shop["coupon"]["code"].lower(), user["headers"]).status_code == 200
    return user


def _figures(body: dict) -> dict:
    return {name: body[name] for name in FIGURES}


def _place(client, user, shop):
    return client.post(f"{BASE}/orders", json=order_body(shipping_address={**ADDRESS, "country": "GB"},
                                                         shipping_method_id=shop["standard"]["id"]),
                       headers={**user["headers"], "Idempotency-Key": uid()})


# 110.00 - offers 20.00 = 90.00; coupon 10% of that = 9.00, so 81.00 of merchandise: under 100.00, Standard
# charges 5.00; tax on 86.00.
INCLUDED = {"subtotal": "110.00", "discount_total": "29.00", "shipping": "5.00", "tax_rate": "20.00",
            "tax_total": "14.33", "total": "86.00"}  # 86.00 x 20 / 120 = 14.333..
ADDED = {**INCLUDED, "tax_total": "17.20", "total": "103.20"}  # 86.00 x 20% added


def test_the_cart_shows_the_coupon_but_never_shipping_or_tax(client, cart, shop):
    body = client.get(f"{BASE}/cart", headers=cart["headers"]).get_json()
    assert (body["subtotal"], body["discount_total"], body["total"]) == ("110.00", "29.00", "81.00")
    assert body["coupon"] == {"code": shop["coupon"]["code"], "amount": "9.00", "problem": None, "message": None}


def test_summary_order_history_and_email_agree(client, db, cart, shop):
    summary = client.get(f"{BASE}/checkout/summary?country=GB&shipping_method_id={shop['standard']['id']}",
                         headers=cart["headers"]).get_json()
    assert _figures(summary) == INCLUDED
    assert summary["coupon"] == {"code": shop["coupon"]["code"], "amount": "9.00", "problem": None, "message": None}
    response = _place(client, cart, shop)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert _figures(order) == INCLUDED
    assert order["coupon"] == {"code": shop["coupon"]["code"], "amount": "9.00"}
    assert order["shipping_method"] == {"id": shop["standard"]["id"], "name": "Standard"}
    assert order["prices_include_tax"] is True and summary["prices_include_tax"] is True
    [listed] = client.get(f"{BASE}/orders", headers=cart["headers"]).get_json()["items"]
    assert _figures(listed) == INCLUDED and listed["coupon"] == order["coupon"]
    with db.cursor() as cur:
        cur.execute("SELECT body_text FROM email_outbox WHERE to_addr = %s ORDER BY id", (cart["email"],))
        text = cur.fetchall()[-1]["body_text"]
    # Each step on its own line, adding up: 110.00 - 20.00 - 9.00 + 5.00 = 86.00, with the tax in it.
    assert (f"Subtotal at list prices: 110.00\nDiscounts: -20.00\nCoupon {shop['coupon']['code']}: -9.00\n"
            "Shipping (Standard): 5.00\nIncludes tax (20.00%): 14.33\nTotal: 86.00 USD") in text
    assert " at 60.00 (list price 80.00) = 60.00\n" in text and " at 30.00 = 30.00\n" in text


@pytest.fixture
def tax_added_client(settings):
    app = create_app(settings=replace(settings, prices_include_tax=False))
    yield app.test_client()
    app.extensions["shopwright"].db.pool.close()


def test_with_tax_added_the_same_order_costs_the_tax_more(tax_added_client, cart, shop):
    summary = tax_added_client.get(f"{BASE}/checkout/summary?country=GB", headers=cart["headers"]).get_json()
    assert _figures(summary) == ADDED
    response = _place(tax_added_client, cart, shop)
    assert response.status_code == 201, response.get_json()
    assert _figures(response.get_json()) == ADDED and response.get_json()["prices_include_tax"] is False
