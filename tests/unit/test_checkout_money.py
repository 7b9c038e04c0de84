"""The money rules of an order (list price -> offers -> coupon -> shipping -> tax), one table row per case."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from backend.services.pricing import FLAT_SHIPPING, ShippingRule, coupon_amount, order_totals, tax_in

EXPRESS = ShippingRule(price=D("10.00"), free_from=None)
FREE_FROM_ZERO = ShippingRule(price=D("7.50"), free_from=D("0.00"))

# (case, subtotal, offer discount, items, coupon (percent, amount), shipping, tax rate, prices include tax,
#  expected (coupon amount, discount_total, shipping, tax_total, total))
CASES = [
    ("flat rule under 50", "30.00", "0.00", 1, None, FLAT_SHIPPING, None, True,
     ("0.00", "0.00", "4.99", None, "34.99")),
    ("flat rule compares after offers", "60.00", "15.00", 2, None, FLAT_SHIPPING, None, True,
     ("0.00", "15.00", "4.99", None, "49.99")),
    ("flat rule free at exactly 50", "50.00", "0.00", 1, None, FLAT_SHIPPING, None, True,
     ("0.00", "0.00", "0.00", None, "50.00")),
    ("percent coupon after offers", "60.00", "15.00", 2, (D("10"), None), FLAT_SHIPPING, None, True,
     ("4.50", "19.50", "4.99", None, "45.49")),
    ("coupon takes merchandise under the free threshold", "55.00", "0.00", 1, (None, D("10.00")), FLAT_SHIPPING,
     None, True, ("10.00", "10.00", "4.99", None, "49.99")),
    ("coupon larger than the merchandise", "60.00", "15.00", 1, (None, D("100.00")), FLAT_SHIPPING, None, True,
     ("45.00", "60.00", "4.99", None, "4.99")),
    ("percent rounds half-up", "2.50", "0.00", 1, (D("5"), None), None, None, True,
     ("0.13", "0.13", None, None, "2.37")),
    ("percent 15 of 19.99", "19.99", "0.00", 1, (D("15"), None), None, None, True,
     ("3.00", "3.00", None, None, "16.99")),
    ("100 percent coupon", "19.99", "0.00", 1, (D("100"), None), EXPRESS, None, True,
     ("19.99", "19.99", "10.00", None, "10.00")),
    ("method never free", "500.00", "0.00", 3, None, EXPRESS, None, True,
     ("0.00", "0.00", "10.00", None, "510.00")),
    ("method free from zero", "5.00", "0.00", 1, None, FREE_FROM_ZERO, None, True,
     ("0.00", "0.00", "0.00", None, "5.00")),
    ("empty cart ships nothing", "0.00", "0.00", 0, None, EXPRESS, D("20"), True,
     ("0.00", "0.00", "0.00", "0.00", "0.00")),
    ("tax included in merchandise and shipping", "100.00", "0.00", 1, None, EXPRESS, D("20"), True,
     ("0.00", "0.00", "10.00", "18.33", "110.00")),
    ("tax added on merchandise and shipping", "100.00", "0.00", 1, None, EXPRESS, D("20"), False,
     ("0.00", "0.00", "10.00", "22.00", "132.00")),
    ("tax after every discount", "120.00", "20.00", 1, (D("50"), None), EXPRESS, D("10"), False,
     ("50.00", "70.00", "10.00", "6.00", "66.00")),
    ("tax added rounds half-up", "10.05", "0.00", 1, None, None, D("10"), False,
     ("0.00", "0.00", None, "1.01", "11.06")),
    ("tax included rounds half-up", "0.01", "0.00", 1, None, None, D("100"), True,
     ("0.00", "0.00", None, "0.01", "0.01")),
    ("tax rate zero", "40.00", "0.00", 1, None, FLAT_SHIPPING, D("0"), False,
     ("0.00", "0.00", "4.99", "0.00", "44.99")),
    ("shipping unknown leaves it out", "40.00", "0.00", 1, None, None, D("25"), True,
     ("0.00", "0.00", None, "8.00", "40.00")),
]


def _d(value: str | None) -> D | None:
    return None if value is None else D(value)


@pytest.mark.parametrize(("case", "subtotal", "offers", "items", "coupon", "shipping", "rate", "included",
                          "expected"), CASES, ids=[c[0] for c in CASES])
def test_order_totals(case, subtotal, offers, items, coupon, shipping, rate, included, expected):
    totals = order_totals(D(subtotal), D(offers), items, coupon=coupon, shipping=shipping, tax_rate=rate,
                          prices_include_tax=included)
    got = (totals.coupon_amount, totals.discount_total, totals.shipping, totals.tax_total, totals.total)
    assert got == tuple(_d(v) for v in expected)
    assert totals.subtotal == D(subtotal) and totals.offer_discount == D(offers)


@pytest.mark.parametrize(("merchandise", "percent", "amount", "expected"), [
    ("0.00", "10", None, "0.00"),
    ("9.99", None, "10.00", "9.99"),
    ("0.05", "10", None, "0.01"),  # 0.005 rounds half-up
    ("0.04", "10", None, "0.00"),
    ("33.33", "33.33", None, "11.11"),
])
def test_coupon_amount(merchandise, percent, amount, expected):
    assert coupon_amount(D(merchandise), _d(percent), _d(amount)) == D(expected)


@pytest.mark.parametrize(("amount", "rate", "included", "expected"), [
    ("119.99", "20", True, "20.00"),
    ("119.99", "20", False, "24.00"),
    ("0.05", "10", False, "0.01"),
    ("10.05", "5", True, "0.48"),
    ("1.00", "7.5", False, "0.08"),  # 0.075 rounds half-up
])
def test_tax_in(amount, rate, included, expected):
    assert tax_in(D(amount), D(rate), included) == D(expected)
