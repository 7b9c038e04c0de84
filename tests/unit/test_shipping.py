"""Which way of shipping an order gets, once its method rows are read: countries, "*", the flat rule, the
cheapest serving a country, what the order keeps and the email says. (What a rule charges: test_pricing.)"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from backend import errors
from backend.services.pricing import FLAT_SHIPPING, ShippingRule
from backend.services.shipping import (
    NO_METHOD_HERE,
    NO_METHODS,
    Delivery,
    charge_lines,
    cheapest_delivery,
    chosen_delivery,
    flat_delivery,
    method_rule,
    serves,
)


def _method(method_id: int, price: str, countries: list[str], free_from: str | None = None) -> dict:
    return {"id": method_id, "name": f"Method {method_id}", "price": D(price),
            "free_from": D(free_from) if free_from is not None else None, "countries": countries}


EVERYWHERE = _method(1, "9.00", ["*"])
EUROPE = _method(2, "4.00", ["DE", "FR", "GB"], free_from="50.00")


@pytest.mark.parametrize(("method", "country", "served"), [
    (EVERYWHERE, "GB", True), (EVERYWHERE, "JP", True), (EVERYWHERE, "*", True),
    (EUROPE, "GB", True), (EUROPE, "DE", True), (EUROPE, "US", False),
    (EUROPE, "gb", False),  # codes arrive upper-case (country_code); the rows hold them so
    (_method(3, "1.00", []), "GB", False),
])
def test_serves(method, country, served):
    assert serves(method, country) is served


def test_method_rule_is_price_and_free_from():
    assert method_rule(EUROPE) == ShippingRule(price=D("4.00"), free_from=D("50.00"))
    assert method_rule(EVERYWHERE) == ShippingRule(price=D("9.00"), free_from=None)


def _field_error(call) -> list[str]:
    with pytest.raises(errors.ValidationFailed) as raised:
        call()
    return raised.value.fields["shipping_method_id"]


def test_without_methods_the_flat_rule_and_no_method_may_be_named():
    assert flat_delivery(None, D("20")) == Delivery(FLAT_SHIPPING, None, D("20"))
    assert flat_delivery(None, None).rule == FLAT_SHIPPING
    assert _field_error(lambda: flat_delivery(7, D("20"))) == [NO_METHODS]


@pytest.mark.parametrize(("method", "country"), [
    (EUROPE, "GB"), (EVERYWHERE, "US"), (EUROPE, None),  # no country yet: any method may be priced
])
def test_a_named_method_that_ships_there(method, country):
    delivery = chosen_delivery(method, country, D("5"))
    assert (delivery.rule, delivery.method, delivery.tax_rate, delivery.problems) == \
        (method_rule(method), method, D("5"), [])


@pytest.mark.parametrize(("method", "country", "message"), [
    (None, "GB", "No such shipping method."), (None, None, "No such shipping method."),
    (EUROPE, "US", NO_METHOD_HERE),
])
def test_a_named_method_that_does_not(method, country, message):
    assert _field_error(lambda: chosen_delivery(method, country, None)) == [message]


def test_the_cheapest_serving_the_country_is_the_first_listed():
    # The repository lists them cheapest first (ORDER BY price, id); the first is taken.
    delivery = cheapest_delivery([EUROPE, EVERYWHERE], D("20"))
    assert (delivery.method, delivery.rule, delivery.problems) == (EUROPE, method_rule(EUROPE), [])


def test_none_serving_the_country_is_a_problem_not_an_error():
    assert cheapest_delivery([], D("20")) == Delivery(None, None, D("20"), [{"code": "no_shipping_method"}])


def test_what_the_order_keeps_of_the_method():
    chosen = Delivery(method_rule(EUROPE), EUROPE, D("0"))
    assert chosen.method_brief == {"id": 2, "name": "Method 2"}
    assert chosen.order_fields == {"shipping_method_id": 2, "shipping_method_name": "Method 2"}
    flat = Delivery(FLAT_SHIPPING, None, D("0"))
    assert flat.method_brief is None
    assert flat.order_fields == {"shipping_method_id": None, "shipping_method_name": None}


@pytest.mark.parametrize(("order", "included", "lines"), [
    ({"shipping_method": {"name": "Standard"}, "shipping": D("4.99"), "tax_rate": D("20.00"),
      "tax_total": D("18.33")}, True, ["Shipping (Standard): 4.99", "Includes tax (20.00%): 18.33"]),
    ({"shipping_method": {"name": "Standard"}, "shipping": D("4.99"), "tax_rate": D("20.00"),
      "tax_total": D("22.00")}, False, ["Shipping (Standard): 4.99", "Tax (20.00%): 22.00"]),
    ({"shipping_method": None, "shipping": D("0.00"), "tax_rate": D("0.00"), "tax_total": D("0.00")}, True,
     ["Shipping: 0.00"]),  # the flat rule, no tax line at a zero rate
    ({"shipping": D("4.99")}, False, ["Shipping: 4.99"]),
])
def test_the_emails_shipping_and_tax_lines(order, included, lines):
    assert charge_lines(order, included) == lines
