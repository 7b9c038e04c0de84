"""Checkout with shipping methods and tax rates: the summary for a country and a method, orders that must name
a method serving the address's country, what the order keeps (method name, tax), the email lines, both
PRICES_INCLUDE_TAX modes, and the flat rule when no method exists."""
from __future__ import annotations

from dataclasses import replace

import pytest

from backend.app import create_app
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import ADDRESS, add_offer, add_product, order_body, stock_of
from tests.shipping_support import BASE, add_method, add_rate, clean_shipping_and_tax  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_shipping_and_tax")
GB_ADDRESS = {**ADDRESS, "country": "GB"}


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def shop(client, admin):
    """GB taxed at 20%; Standard (5.00, free from 100.00) and Express (9.00) to GB, Europe (7.00) to DE/FR."""
    add_rate(client, admin, "GB", "20.00")
    return {"standard": add_method(client, admin, name="Standard", price="5.00", free_from="100.00"),
            "express": add_method(client, admin, name="Express", price="9.00", min_days=1, max_days=1),
            "europe": add_method(client, admin, name="Europe", price="7.00", countries=["DE", "FR"])}


def _fill(client, db, user, *lines):
    """Lines of (price, quantity), each a new product; returns the product ids."""
    ids = []
    for price, quantity in lines:
        ids.append(add_product(db, price, stock=10))
        response = client.post(f"{BASE}/cart/items", json={"product_id": ids[-1], "quantity": quantity},
                               headers=user["headers"])
        assert response.status_code == 201, response.get_json()
    return ids


def _summary(client, user, query=""):
    return client.get(f"{BASE}/checkout/summary{query}", headers=user["headers"])


def _figures(body):
    return {k: body[k] for k in ("subtotal", "discount_total", "shipping", "tax_total", "tax_rate", "total")}


def _place(client, user, key=None, **body):
    return client.post(f"{BASE}/orders", json=order_body(**body), headers={**user["headers"],
                                                                          "Idempotency-Key": key or uid()})


def _mail(db, user):
    with db.cursor() as cur:
        cur.execute("SELECT body_text FROM email_outbox WHERE to_addr = %s ORDER BY id", (user["email"],))
        return [row["body_text"] for row in cur.fetchall()]


def _order_row(db, order_id):
    with db.cursor() as cur:
        cur.execute("SELECT shipping_method_id, shipping_method_name, tax_rate, tax_total, prices_include_tax "
                    "FROM orders WHERE id = %s", (order_id,))
        return cur.fetchone()


# ---------------------------------------------------------------- the summary
def test_summary_prices_the_chosen_method_and_the_country_tax(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("40.00", 1), ("12.50", 2))
    response = _summary(client, user, f"?country=gb&shipping_method_id={shop['express']['id']}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # Prices include tax: 65.00 + 9.00 = 74.00 contains 74.00 * 20 / 120 = 12.333.. -> 12.33.
    assert _figures(body) == {"subtotal": "65.00", "discount_total": "0.00", "shipping": "9.00",
                              "tax_total": "12.33", "tax_rate": "20.00", "total": "74.00"}
    assert body["shipping_method"] == {"id": shop["express"]["id"], "name": "Express"} and body["problems"] == []
    # The country as a saved address may give it: the same figures.
    named = _summary(client, user, f"?country=United%20Kingdom&shipping_method_id={shop['express']['id']}")
    assert _figures(named.get_json()) == _figures(body)


def test_summary_without_a_method_takes_the_cheapest_serving_the_country(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("40.00", 1), ("12.50", 2))
    body = _summary(client, user, "?country=GB").get_json()
    assert body["shipping_method"] == {"id": shop["standard"]["id"], "name": "Standard"}
    assert _figures(body) == {"subtotal": "65.00", "discount_total": "0.00", "shipping": "5.00",
                              "tax_total": "11.67", "tax_rate": "20.00", "total": "70.00"}
    body = _summary(client, user, "?country=FR").get_json()  # no rate for FR: 0
    assert (body["shipping_method"]["name"], body["shipping"], body["tax_rate"], body["tax_total"], body["total"]) == (
        "Europe", "7.00", "0.00", "0.00", "72.00")


def test_summary_for_a_country_no_method_serves_says_so(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("65.00", 1))
    body = _summary(client, user, "?country=JP").get_json()
    assert (body["shipping"], body["shipping_method"], body["total"]) == (None, None, "65.00")
    assert (body["tax_rate"], body["tax_total"]) == ("0.00", "0.00")
    assert body["problems"] == [{"code": "no_shipping_method"}]


def test_summary_without_country_or_method_leaves_shipping_and_tax_out(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("65.00", 1))
    body = _summary(client, user).get_json()
    assert _figures(body) == {"subtotal": "65.00", "discount_total": "0.00", "shipping": None, "tax_total": None,
                              "tax_rate": None, "total": "65.00"}
    assert body["shipping_method"] is None and body["problems"] == []


def test_summary_refuses_a_method_for_another_country_or_an_unknown_one(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("65.00", 1))
    for query in (f"?country=GB&shipping_method_id={shop['europe']['id']}", "?country=GB&shipping_method_id=99999999"):
        error = assert_error(_summary(client, user, query), 422, "validation_error")
        assert set(error["fields"]) == {"shipping_method_id"}
    error = assert_error(_summary(client, user, "?country=XX"), 422, "validation_error")
    assert set(error["fields"]) == {"country"}


def test_free_from_compares_with_merchandise_after_discounts(client, db, make_user, shop):
    user = make_user()
    [product] = _fill(client, db, user, ("110.00", 1))
    add_offer(db, product, "10")  # 99.00 after the offer: under 100.00, so Standard charges
    body = _summary(client, user, "?country=GB").get_json()
    assert _figures(body) == {"subtotal": "110.00", "discount_total": "11.00", "shipping": "5.00",
                              "tax_total": "17.33", "tax_rate": "20.00", "total": "104.00"}
    other = make_user()
    [product] = _fill(client, db, other, ("125.00", 1))
    add_offer(db, product, "20")  # exactly 100.00 after the offer: free
    body = _summary(client, other, "?country=GB").get_json()
    assert (body["shipping"], body["tax_total"], body["total"]) == ("0.00", "16.67", "100.00")


# ---------------------------------------------------------------- no methods: the flat rule
def test_without_methods_the_flat_rule_stays(client, db, make_user):
    user = make_user()
    _fill(client, db, user, ("20.00", 1))
    body = _summary(client, user).get_json()
    assert _figures(body) == {"subtotal": "20.00", "discount_total": "0.00", "shipping": "4.99",
                              "tax_total": None, "tax_rate": None, "total": "24.99"}
    body = _summary(client, user, "?country=US").get_json()
    assert (body["shipping"], body["shipping_method"], body["tax_rate"], body["tax_total"], body["total"]) == (
        "4.99", None, "0.00", "0.00", "24.99")
    error = assert_error(_summary(client, user, "?shipping_method_id=1"), 422, "validation_error")
    assert set(error["fields"]) == {"shipping_method_id"}
    response = _place(client, user, shipping_address={**ADDRESS, "country": "Nowhere Land"})
    assert response.status_code == 201, response.get_json()  # free text, as before: nothing needs the country
    order = response.get_json()
    assert _figures(order) == {"subtotal": "20.00", "discount_total": "0.00", "shipping": "4.99",
                               "tax_total": "0.00", "tax_rate": "0.00", "total": "24.99"}
    assert order["shipping_method"] is None
    [text] = _mail(db, user)
    assert "Shipping: 4.99" in text and "tax" not in text.lower()


# ---------------------------------------------------------------- placing orders
def test_an_order_needs_a_method_serving_its_country_and_charges_nothing_without(client, db, make_user, shop):
    user = make_user()
    [product] = _fill(client, db, user, ("65.00", 1))
    error = assert_error(_place(client, user, shipping_address=GB_ADDRESS), 422, "validation_error")
    assert set(error["fields"]) == {"shipping_method_id"}
    error = assert_error(_place(client, user, shipping_address=GB_ADDRESS, shipping_method_id=shop["europe"]["id"]),
                         422, "validation_error")
    assert set(error["fields"]) == {"shipping_method_id"}
    assert stock_of(db, product) == 10 and _mail(db, user) == []
    assert client.get(f"{BASE}/cart", headers=user["headers"]).get_json()["item_count"] == 1


def test_the_order_records_the_method_and_the_tax(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("40.00", 1), ("12.50", 2))
    response = _place(client, user, shipping_address=GB_ADDRESS, shipping_method_id=shop["standard"]["id"])
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert _figures(order) == {"subtotal": "65.00", "discount_total": "0.00", "shipping": "5.00",
                               "tax_total": "11.67", "tax_rate": "20.00", "total": "70.00"}
    assert order["shipping_method"] == {"id": shop["standard"]["id"], "name": "Standard"}
    row = _order_row(db, order["id"])
    assert (row["shipping_method_id"], row["shipping_method_name"], str(row["tax_rate"]), str(row["tax_total"]),
            row["prices_include_tax"]) == (shop["standard"]["id"], "Standard", "20.00", "11.67", 1)
    assert client.get(f"{BASE}/orders/{order['id']}", headers=user["headers"]).get_json() == order
    [text] = _mail(db, user)
    assert "Shipping (Standard): 5.00\nIncludes tax (20.00%): 11.67\nTotal: 70.00 USD" in text


def test_the_method_is_part_of_the_idempotency_fingerprint(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("65.00", 1))
    first = _place(client, user, key="ship-1", shipping_address=GB_ADDRESS, shipping_method_id=shop["standard"]["id"])
    assert first.status_code == 201, first.get_json()
    again = _place(client, user, key="ship-1", shipping_address=GB_ADDRESS, shipping_method_id=shop["standard"]["id"])
    assert again.get_json()["id"] == first.get_json()["id"]
    assert_error(_place(client, user, key="ship-1", shipping_address=GB_ADDRESS,
                        shipping_method_id=shop["express"]["id"]), 409, "idempotency_key_reused")


def test_deleting_a_method_keeps_the_orders_method_name(client, db, make_user, admin, shop):
    user = make_user()
    _fill(client, db, user, ("65.00", 1))
    order = _place(client, user, shipping_address=GB_ADDRESS, shipping_method_id=shop["express"]["id"]).get_json()
    deleted = client.delete(f"{BASE}/shipping-methods/{shop['express']['id']}", headers=admin["headers"])
    assert deleted.status_code == 204
    again = client.get(f"{BASE}/orders/{order['id']}", headers=user["headers"]).get_json()
    assert again["shipping_method"] == {"id": None, "name": "Express"}
    assert (again["shipping"], again["tax_total"], again["total"]) == ("9.00", "12.33", "74.00")


def test_an_address_country_given_as_a_name_resolves_to_its_code(client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("65.00", 1))
    response = _place(client, user, shipping_address={**ADDRESS, "country": " united kingdom "},
                      shipping_method_id=shop["standard"]["id"])
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert (order["tax_rate"], order["tax_total"], order["shipping_address"]["country"]) == (
        "20.00", "11.67", " united kingdom ")  # the address stays as typed


def test_an_unresolvable_country_is_422_naming_the_address(client, db, make_user, shop):
    user = make_user()
    [product] = _fill(client, db, user, ("65.00", 1))
    error = assert_error(_place(client, user, shipping_address={**ADDRESS, "country": "Atlantis"},
                                shipping_method_id=shop["standard"]["id"]), 422, "validation_error")
    assert error["fields"] == {"shipping_address.country": [
        "We do not recognise this country. Use a two-letter country code such as GB."]}
    saved = client.post(f"{BASE}/account/addresses", json={**ADDRESS, "country": "Atlantis"},
                        headers=user["headers"])
    assert saved.status_code == 201, saved.get_json()
    body = {"address_id": saved.get_json()["id"], "payment": order_body()["payment"],
            "shipping_method_id": shop["standard"]["id"]}
    response = client.post(f"{BASE}/orders", json=body, headers={**user["headers"], "Idempotency-Key": uid()})
    assert set(assert_error(response, 422, "validation_error")["fields"]) == {"address_id"}
    assert stock_of(db, product) == 10


def test_a_tax_rate_alone_needs_a_known_country_too(client, db, make_user, admin):
    add_rate(client, admin, "US", "8.25")
    user = make_user()
    _fill(client, db, user, ("40.00", 1))
    error = assert_error(_place(client, user, shipping_address={**ADDRESS, "country": "Atlantis"}),
                         422, "validation_error")
    assert set(error["fields"]) == {"shipping_address.country"}
    order = _place(client, user).get_json()  # US, the flat rule: 40.00 + 4.99 = 44.99 contains 3.43 at 8.25%
    assert _figures(order) == {"subtotal": "40.00", "discount_total": "0.00", "shipping": "4.99",
                               "tax_total": "3.43", "tax_rate": "8.25", "total": "44.99"}
    assert "Shipping: 4.99\nIncludes tax (8.25%): 3.43\n" in _mail(db, user)[0]


# ---------------------------------------------------------------- PRICES_INCLUDE_TAX=false
@pytest.fixture
def tax_added_client(settings):
    """The same database, served by an app whose prices leave tax out (the session app's settings stay)."""
    app = create_app(settings=replace(settings, prices_include_tax=False))
    yield app.test_client()
    app.extensions["shopwright"].db.pool.close()


def test_tax_is_added_when_prices_leave_it_out(tax_added_client, client, db, make_user, shop):
    user = make_user()
    _fill(client, db, user, ("40.00", 1), ("12.50", 2))
    body = _summary(tax_added_client, user, f"?country=GB&shipping_method_id={shop['standard']['id']}").get_json()
    # 65.00 + 5.00 = 70.00, and 20% of it added: 14.00.
    assert _figures(body) == {"subtotal": "65.00", "discount_total": "0.00", "shipping": "5.00",
                              "tax_total": "14.00", "tax_rate": "20.00", "total": "84.00"}
    response = _place(tax_added_client, user, shipping_address=GB_ADDRESS, shipping_method_id=shop["standard"]["id"])
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert _figures(order) == _figures(body)
    assert _order_row(db, order["id"])["prices_include_tax"] == 0
    assert "Shipping (Standard): 5.00\nTax (20.00%): 14.00\nTotal: 84.00 USD" in _mail(db, user)[0]
    # The order keeps the mode it was placed in; the other app answers it the same.
    assert _figures(client.get(f"{BASE}/orders/{order['id']}", headers=user["headers"]).get_json()) == _figures(body)


def test_an_order_whose_added_tax_takes_it_past_the_largest_amount_is_refused(tax_added_client, db, make_user,
                                                                             client, shop):
    user = make_user()
    [product] = _fill(client, db, user, ("9000000000.00", 1))  # ships free; 10,800,000,000.00 with 20% tax
    body = _summary(tax_added_client, user, "?country=GB").get_json()
    assert body["total"] == "10800000000.00" and {"code": "order_too_large"} in body["problems"]
    error = assert_error(_place(tax_added_client, user, shipping_address=GB_ADDRESS,
                                shipping_method_id=shop["standard"]["id"]), 422, "order_too_large")
    assert "9999999999.99" in error["message"]
    assert stock_of(db, product) == 10
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM orders WHERE user_id = %s", (user["id"],))
        assert cur.fetchone()["n"] == 0
