"""The one price function: the best of a product's active offers, rounded half-up; an offer never takes a price to
zero or below, it just does not apply. Also an offer's window and what a shipping rule charges.
(An order's totals, step by step: test_checkout_money.)"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest

from backend.services.pricing import (
    ZERO,
    ShippingRule,
    apply_offers,
    best_offer,
    discounted,
    offer_active,
    shipping_price,
)


def test_discounted_rounds_half_up_and_refuses_to_make_free():
    assert discounted(D("10.00"), {"percent_off": D("33.33")}) == D("6.67")
    assert discounted(D("1036.99"), {"amount_off": D("1036.98")}) == D("0.01")
    assert discounted(D("1036.99"), {"amount_off": D("1036.99")}) is None
    assert discounted(D("1036.99"), {"amount_off": D("999999999")}) is None
    assert discounted(D("0.01"), {"percent_off": D("60")}) is None  # 0.004 rounds to 0.00
    assert discounted(D("0.00"), {"percent_off": D("10")}) is None


@pytest.mark.parametrize(("price", "offer", "after"), [
    ("10.01", {"percent_off": D("50")}, "5.01"),      # 5.005: half-up, not half-even
    ("10.03", {"percent_off": D("50")}, "5.02"),      # 5.015
    ("0.05", {"percent_off": D("50")}, "0.03"),       # 0.025
    ("19.99", {"percent_off": D("15")}, "16.99"),     # 16.9915
    ("19.99", {"percent_off": D("12.5")}, "17.49"),   # 17.49125
    ("100.00", {"percent_off": D("99.99")}, "0.01"),
    ("100.00", {"percent_off": D("100")}, None),
    ("100.00", {"amount_off": D("0.01")}, "99.99"),
    ("100.00", {"amount_off": D("99.99")}, "0.01"),
    ("100.00", {"amount_off": D("100.00")}, None),   # down to zero: does not apply
    ("100.00", {"percent_off": None, "amount_off": D("5.00")}, "95.00"),
    ("100.00", {"percent_off": D("10"), "amount_off": None}, "90.00"),
])
def test_discounted(price, offer, after):
    assert discounted(D(price), offer) == (D(after) if after is not None else None)


# Overlapping offers on one product: its own and its categories' (the repository returns every active one).
PCT10 = {"id": 5, "percent_off": D("10"), "offer_product_id": 1, "category_id": None}
OFF15 = {"id": 3, "amount_off": D("15.00"), "offer_product_id": None, "category_id": 7}
PCT25 = {"id": 9, "percent_off": D("25"), "offer_product_id": None, "category_id": 2}
HUGE = {"id": 1, "amount_off": D("500.00"), "offer_product_id": None, "category_id": 2}
SAME_AS_OFF15 = {"id": 8, "percent_off": D("15"), "offer_product_id": 1, "category_id": None}


@pytest.mark.parametrize(("case", "price", "offers", "after", "winner"), [
    ("no offers", "100.00", [], None, None),
    ("amount beats percent on a cheap product", "100.00", [PCT10, OFF15], "85.00", OFF15),
    ("percent beats amount on a dear one", "200.00", [PCT10, OFF15], "180.00", PCT10),
    ("a category offer beats the product's own", "100.00", [PCT10, PCT25], "75.00", PCT25),
    ("one too large for the product is skipped", "100.00", [HUGE, PCT10], "90.00", PCT10),
    ("none left applies", "100.00", [HUGE], None, None),
    ("a tie goes to the lowest id", "100.00", [SAME_AS_OFF15, OFF15], "85.00", OFF15),
    ("whatever the order they come in", "100.00", [OFF15, SAME_AS_OFF15], "85.00", OFF15),
    # 17.49125 rounds to the amount offer's 17.49: compared after rounding, so a tie, and id 1 wins.
    ("a tie after rounding", "19.99", [{"id": 2, "amount_off": D("2.50")}, {"id": 1, "percent_off": D("12.5")}],
     "17.49", {"id": 1, "percent_off": D("12.5")}),
])
def test_best_offer(case, price, offers, after, winner):
    assert best_offer(D(price), offers) == ((D(after), winner) if after is not None else (None, None))


def test_best_offer_skips_offers_that_would_make_the_product_free():
    offers = [{"id": 1, "amount_off": D("50.00")}, {"id": 2, "percent_off": D("10")}]
    assert best_offer(D("30.00"), offers) == (D("27.00"), offers[1])
    assert best_offer(D("100.00"), offers) == (D("50.00"), offers[0])
    assert best_offer(D("50.00"), offers[:1]) == (None, None)


def test_apply_offers_sets_sale_and_unit_price():
    rows = [{"id": 1, "price": D("100.00")}, {"id": 2, "price": D("10.00")}, {"id": 3, "price": D("40.00")}]
    priced = apply_offers(rows, {1: [PCT10, OFF15], 2: [OFF15]})
    assert [(r["sale_price"], r["offer"], r["unit_price"]) for r in priced] == [
        (D("85.00"), OFF15, D("85.00")),
        (None, None, D("10.00")),   # 15.00 off a 10.00 product does not apply
        (None, None, D("40.00")),   # no offers at all
    ]
    variants = apply_offers([{"id": 70, "product_id": 1, "price": D("120.00")}], {1: [PCT10]}, key="product_id")
    assert variants[0]["unit_price"] == D("108.00")


START, END = datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 8, 9, 0)


@pytest.mark.parametrize(("now", "active"), [
    (datetime(2026, 3, 1, 8, 59, 59), False),   # not started
    (START, True),                              # from its start
    (datetime(2026, 3, 5), True),
    (datetime(2026, 3, 8, 8, 59, 59), True),
    (END, False),                               # over at its end
    (datetime(2027, 1, 1), False),              # long expired
])
def test_an_offer_is_active_from_its_start_up_to_its_end(now, active):
    assert offer_active({"starts_at": START, "ends_at": END}, now) is active


FREE_FROM_50 = ShippingRule(price=D("4.99"), free_from=D("50.00"))
NEVER_FREE = ShippingRule(price=D("10.00"), free_from=None)
ALWAYS_FREE = ShippingRule(price=D("7.50"), free_from=D("0.00"))


@pytest.mark.parametrize(("merchandise", "items", "rule", "fee"), [
    ("49.99", 1, FREE_FROM_50, "4.99"),      # a cent short
    ("50.00", 1, FREE_FROM_50, "0.00"),      # free from exactly free_from
    ("50.01", 1, FREE_FROM_50, "0.00"),
    ("0.00", 3, FREE_FROM_50, "4.99"),       # a 100% coupon still ships at a price
    ("0.00", 0, FREE_FROM_50, "0.00"),       # nothing to ship
    ("9999.00", 2, NEVER_FREE, "10.00"),
    ("0.00", 0, NEVER_FREE, "0.00"),
    ("0.00", 1, ALWAYS_FREE, "0.00"),
    ("120.00", 1, ALWAYS_FREE, "0.00"),
])
def test_shipping_price(merchandise, items, rule, fee):
    assert shipping_price(D(merchandise), items, rule) == D(fee)
    assert shipping_price(D(merchandise), items, rule) >= ZERO
