"""The one price function: an offer never takes a price to zero or below, it just does not apply."""
from __future__ import annotations

from decimal import Decimal

from backend.services.pricing import best_offer, discounted


def test_discounted_rounds_half_up_and_refuses_to_make_free():
    assert discounted(Decimal("10.00"), {"percent_off": Decimal("33.33")}) == Decimal("6.67")
    assert discounted(Decimal("1036.99"), {"amount_off": Decimal("1036.98")}) == Decimal("0.01")
    assert discounted(Decimal("1036.99"), {"amount_off": Decimal("1036.99")}) is None
    assert discounted(Decimal("1036.99"), {"amount_off": Decimal("999999999")}) is None
    assert discounted(Decimal("0.01"), {"percent_off": Decimal("60")}) is None  # 0.004 rounds to 0.00
    assert discounted(Decimal("0.00"), {"percent_off": Decimal("10")}) is None


def test_best_offer_skips_offers_that_would_make_the_product_free():
    offers = [{"id": 1, "amount_off": Decimal("50.00")}, {"id": 2, "percent_off": Decimal("10")}]
    assert best_offer(Decimal("30.00"), offers) == (Decimal("27.00"), offers[1])
    assert best_offer(Decimal("100.00"), offers) == (Decimal("50.00"), offers[0])
    assert best_offer(Decimal("50.00"), offers[:1]) == (None, None)
