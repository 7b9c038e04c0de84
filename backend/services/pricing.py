"""The one place a product's current price is computed: list price less its best active offer."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.repositories.offers import OfferRepository

CENT = Decimal("0.01")


def discounted(price: Decimal, offer: dict[str, Any]) -> Decimal:
    """The price after one offer, rounded half-up to the cent, never below zero."""
    if offer.get("percent_off") is not None:
        cut = price * Decimal(offer["percent_off"]) / Decimal(100)
    else:
        cut = Decimal(offer["amount_off"])
    return max(Decimal("0.00"), (price - cut).quantize(CENT, rounding=ROUND_HALF_UP))


def best_offer(price: Decimal, offers: Iterable[dict[str, Any]]) -> tuple[Decimal | None, dict[str, Any] | None]:
    """The lowest price any offer gives, with that offer; (None, None) when none applies."""
    best: tuple[Decimal | None, dict[str, Any] | None] = (None, None)
    for offer in sorted(offers, key=lambda o: o["id"]):
        candidate = discounted(price, offer)
        if best[0] is None or candidate < best[0]:
            best = (candidate, offer)
    return best


def price_products(conn, products: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Add sale_price and offer to each product row (which must have id and price), in one query."""
    by_product: dict[int, list[dict[str, Any]]] = {}
    for offer in OfferRepository(conn).list_active_for_products([p["id"] for p in products], now):
        by_product.setdefault(offer["product_id"], []).append(offer)
    for product in products:
        sale_price, offer = best_offer(product["price"], by_product.get(product["id"], []))
        product["sale_price"], product["offer"] = sale_price, offer
        product["unit_price"] = sale_price if sale_price is not None else product["price"]
    return products
