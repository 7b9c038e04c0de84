"""Coupons on the cart (guest or user): POST/DELETE /cart/coupon, why a code is refused, and the figures of the
cart and the checkout summary with the coupon (cart total = subtotal - discount_total, coupon included)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from backend.clock import utcnow
from tests.coupons_support import add_coupon, apply, set_coupon
from tests.helpers import assert_error
from tests.orders_support import add_offer, add_product


def _applied(code: str, amount: str) -> dict:
    """The cart's coupon object while the coupon applies."""
    return {"code": code, "amount": amount, "problem": None, "message": None}


def _buy(client, product: int, quantity: int, headers: dict | None = None) -> None:
    response = client.post("/api/v1/cart/items", json={"product_id": product, "quantity": quantity},
                           headers=headers or {})
    assert response.status_code == 201, response.get_json()


def _figures(body: dict) -> tuple:
    return body["subtotal"], body["discount_total"], body["total"], body["coupon"]


@pytest.fixture
def offer_cart(client, db, make_user):
    """A user's cart: 2 x 40.00 at 25% off (30.00) and 1 x 15.00: subtotal 95.00, offers 20.00, 75.00 after them."""
    user = make_user()
    on_offer, plain = add_product(db, "40.00", stock=10), add_product(db, "15.00", stock=10)
    add_offer(db, on_offer, "25")
    _buy(client, on_offer, 2, user["headers"])
    _buy(client, plain, 1, user["headers"])
    return user


def test_user_applies_a_percent_coupon_in_any_case_and_sees_it_in_cart_and_summary(client, services, offer_cart):
    coupon = add_coupon(services, percent="12.5")
    applied = apply(client, f"  {coupon['code'].lower()} ", offer_cart["headers"])
    assert applied.status_code == 200, applied.get_json()
    # 12.5% of 75.00 (after the offer) is 9.375, half-up 9.38; discount_total = 20.00 + 9.38.
    expected = ("95.00", "29.38", "65.62", _applied(coupon["code"], "9.38"))
    assert _figures(applied.get_json()) == expected
    assert _figures(client.get("/api/v1/cart", headers=offer_cart["headers"]).get_json()) == expected
    summary = client.get("/api/v1/checkout/summary", headers=offer_cart["headers"]).get_json()
    # 65.62 of merchandise after every discount: free shipping (from 50.00).
    assert _figures(summary) == expected and summary["shipping"] == "0.00" and summary["problems"] == []


def test_amount_coupon_larger_than_the_merchandise_leaves_nothing_to_pay_for_it(client, services, offer_cart):
    coupon = add_coupon(services, amount="500.00")
    body = apply(client, coupon["code"], offer_cart["headers"]).get_json()
    assert _figures(body) == ("95.00", "95.00", "0.00", _applied(coupon["code"], "75.00"))
    summary = client.get("/api/v1/checkout/summary", headers=offer_cart["headers"]).get_json()
    # No merchandise left to pay for: under the free-shipping threshold, so the flat fee is all that remains.
    assert (summary["discount_total"], summary["shipping"], summary["total"]) == ("95.00", "4.99", "4.99")


def test_guest_applies_and_removes_a_coupon(app, db, services):
    product = add_product(db, "20.00", stock=5)
    coupon = add_coupon(services, amount="5.00")
    guest = app.test_client()
    _buy(guest, product, 2)
    body = apply(guest, coupon["code"]).get_json()
    assert _figures(body) == ("40.00", "5.00", "35.00", _applied(coupon["code"], "5.00"))
    assert guest.delete("/api/v1/cart/coupon").status_code == 204
    assert _figures(guest.get("/api/v1/cart").get_json()) == ("40.00", "0.00", "40.00", None)
    # Removing when there is none is fine too.
    assert guest.delete("/api/v1/cart/coupon").status_code == 204
    assert app.test_client().delete("/api/v1/cart/coupon").status_code == 204


def test_a_guest_without_a_cart_gets_one_with_the_coupon(app, services):
    coupon = add_coupon(services, percent="10")
    guest = app.test_client()
    response = apply(guest, coupon["code"])
    assert response.status_code == 200
    assert response.headers["Set-Cookie"].startswith("sw_cart=")
    assert _figures(response.get_json()) == ("0.00", "0.00", "0.00",
                                             _applied(coupon["code"], "0.00"))
    assert guest.get("/api/v1/cart").get_json()["coupon"]["code"] == coupon["code"]


def test_a_second_coupon_replaces_the_first(client, services, offer_cart):
    first, second = add_coupon(services, amount="1.00"), add_coupon(services, amount="2.00")
    apply(client, first["code"], offer_cart["headers"])
    body = apply(client, second["code"], offer_cart["headers"]).get_json()
    assert body["coupon"] == _applied(second["code"], "2.00")


def _reasons(services):
    now = utcnow()
    return [
        ("NO-SUCH-CODE", "There is no coupon with that code."),
        ("bad code!", "There is no coupon with that code."),
        (add_coupon(services, percent="10", is_active=False)["code"], "This coupon is not active."),
        (add_coupon(services, percent="10", starts_at=now - timedelta(days=9),
                    ends_at=now - timedelta(minutes=1))["code"], "This coupon has expired."),
        (add_coupon(services, percent="10", starts_at=now + timedelta(hours=1))["code"],
         "This coupon is not valid yet."),
        (add_coupon(services, percent="10", min_subtotal="95.01")["code"],
         "This coupon needs a subtotal of at least 95.01."),
    ]


def test_every_reason_a_code_is_refused_is_422_coupon_invalid_saying_which(client, services, offer_cart):
    kept = add_coupon(services, amount="3.00")
    apply(client, kept["code"], offer_cart["headers"])
    for code, message in _reasons(services):
        error = assert_error(apply(client, code, offer_cart["headers"]), 422, "coupon_invalid")
        assert error["message"] == message and error["fields"] == {"code": [message]}
    # A refused code leaves the coupon already there.
    assert client.get("/api/v1/cart", headers=offer_cart["headers"]).get_json()["coupon"]["code"] == kept["code"]
    # The minimum is the subtotal at list prices (95.00 here), not the 75.00 after offers.
    at_minimum = add_coupon(services, percent="10", min_subtotal="95.00")
    assert apply(client, at_minimum["code"], offer_cart["headers"]).status_code == 200


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": None}, {"code": 12}, {"code": "x" * 101},
                                  {"code": "BAD\ud800"}])
def test_a_missing_or_malformed_code_is_422_naming_code(client, body):
    error = assert_error(client.post("/api/v1/cart/coupon", json=body), 422, "validation_error")
    assert set(error["fields"]) == {"code"}


def test_a_used_up_coupon_is_409_coupon_exhausted(app, db, services, offer_cart):
    coupon = add_coupon(services, percent="10", max_uses=3)
    set_coupon(db, coupon["id"], times_used=3)
    error = assert_error(apply(app.test_client(), coupon["code"], offer_cart["headers"]), 409, "coupon_exhausted")
    assert error["message"] == "This coupon has been used up."
    assert_error(apply(app.test_client(), coupon["code"]), 409, "coupon_exhausted")  # a guest alike


def test_guest_coupon_survives_login(app, db, services, make_user):
    user = make_user()
    product = add_product(db, "30.00", stock=5)
    coupon = add_coupon(services, percent="50")
    browser = app.test_client()
    _buy(browser, product, 1)
    apply(browser, coupon["code"])
    login = browser.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]})
    assert login.status_code == 200, login.get_json()
    cart = browser.get("/api/v1/cart").get_json()
    assert _figures(cart) == ("30.00", "15.00", "15.00", _applied(coupon["code"], "15.00"))


def test_the_users_own_coupon_wins_over_the_guests_at_login(app, client, db, services, make_user):
    user = make_user()
    product = add_product(db, "30.00", stock=5)
    own, guests = add_coupon(services, amount="1.00"), add_coupon(services, amount="2.00")
    apply(client, own["code"], user["headers"])
    browser = app.test_client()
    _buy(browser, product, 1)
    apply(browser, guests["code"])
    browser.post("/api/v1/auth/login", json={"login": user["email"], "password": user["password"]})
    assert browser.get("/api/v1/cart").get_json()["coupon"]["code"] == own["code"]


def test_coupon_stops_applying_when_the_cart_falls_under_its_minimum(client, db, services, make_user):
    user = make_user()
    product = add_product(db, "20.00", stock=10)
    coupon = add_coupon(services, amount="10.00", min_subtotal="50")
    _buy(client, product, 3, user["headers"])
    assert apply(client, coupon["code"], user["headers"]).get_json()["total"] == "50.00"
    lowered = client.patch(f"/api/v1/cart/items/{product}", json={"quantity": 2}, headers=user["headers"])
    assert _figures(lowered.get_json()) == ("40.00", "0.00", "40.00",
                                            {"code": coupon["code"], "amount": "0.00", "problem": "coupon_invalid",
                                             "message": "This coupon needs a subtotal of at least 50.00."})
    summary = client.get("/api/v1/checkout/summary", headers=user["headers"]).get_json()
    assert summary["problems"] == [{"code": "coupon_invalid"}]
    assert (summary["discount_total"], summary["shipping"], summary["total"]) == ("0.00", "4.99", "44.99")
    # Back over the minimum, it applies again.
    raised = client.patch(f"/api/v1/cart/items/{product}", json={"quantity": 3}, headers=user["headers"])
    assert raised.get_json()["coupon"] == _applied(coupon["code"], "10.00")


def test_coupon_expiring_or_used_up_after_it_was_applied_shows_as_a_problem(client, db, services, offer_cart,
                                                                            travel):
    coupon = add_coupon(services, percent="10", ends_at=utcnow().replace(microsecond=0) + timedelta(minutes=1),
                        max_uses=2)
    apply(client, coupon["code"], offer_cart["headers"])
    set_coupon(db, coupon["id"], times_used=2)
    cart = client.get("/api/v1/cart", headers=offer_cart["headers"]).get_json()
    assert _figures(cart) == ("95.00", "20.00", "75.00",
                              {"code": coupon["code"], "amount": "0.00", "problem": "coupon_exhausted",
                               "message": "This coupon has been used up."})
    summary = client.get("/api/v1/checkout/summary", headers=offer_cart["headers"]).get_json()
    assert summary["problems"] == [{"code": "coupon_exhausted"}]
    set_coupon(db, coupon["id"], times_used=0)
    travel(timedelta(minutes=2))
    cart = client.get("/api/v1/cart", headers=offer_cart["headers"]).get_json()
    assert cart["coupon"]["problem"] == "coupon_invalid"


def test_a_deleted_coupon_leaves_the_cart(client, services, offer_cart, make_user):
    coupon = add_coupon(services, percent="10")
    apply(client, coupon["code"], offer_cart["headers"])
    manager = make_user("product_manager")
    assert client.delete(f"/api/v1/coupons/{coupon['id']}", headers=manager["headers"]).status_code == 204
    assert client.get("/api/v1/cart", headers=offer_cart["headers"]).get_json()["coupon"] is None
