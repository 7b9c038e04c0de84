"""The one place a product's current price is computed: list price less its best active offer."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.repositories.categories import CategoryRepository
from backend.repositories.offers import OfferRepository
from backend.repositories.products import ProductRepository
from backend.repositories.variants import VariantRepository

CENT = Decimal("0.01")


def discounted(price: Decimal, offer: dict[str, Any]) -> Decimal | None:
    """The price after one offer, rounded half-up to the cent; None when it would leave nothing to pay.

    An offer never makes a product free: one that would take the price to zero or below does not apply
    to that product (a category offer larger than a cheap product's price), and a product offer like
    that is refused when it is written (services.offers).
    """
    if offer.get("percent_off") is not None:
        cut = price * Decimal(offer["percent_off"]) / Decimal(100)
    else:
        cut = Decimal(offer["amount_off"])
    after = (price - cut).quantize(CENT, rounding=ROUND_HALF_UP)
    return after if after > 0 else None


def best_offer(price: Decimal, offers: Iterable[dict[str, Any]]) -> tuple[Decimal | None, dict[str, Any] | None]:
    """The lowest price any applicable offer gives, with that offer; (None, None) when none applies."""
    best: tuple[Decimal | None, dict[str, Any] | None] = (None, None)
    for offer in sorted(offers, key=lambda o: o["id"]):
        candidate = discounted(price, offer)
        if candidate is not None and (best[0] is None or candidate < best[0]):
            best = (candidate, offer)
    return best


def active_offers(conn, product_ids: list[int], now: datetime) -> dict[int, list[dict[str, Any]]]:
    """The offers active now for each of these products (on it or on its category's ancestors), in one query."""
    by_product: dict[int, list[dict[str, Any]]] = {}
    for offer in OfferRepository(conn).list_active_for_products(sorted(set(product_ids)), now):
        by_product.setdefault(offer["product_id"], []).append(offer)
    return by_product


def price_products(conn, products: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Add sale_price and offer to each product row (which must have id and price), in one query."""
    return apply_offers(products, active_offers(conn, [p["id"] for p in products], now))


def price_variants(conn, variants: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Add sale_price, offer and unit_price to variant rows (product_id and price): their product's offers
    apply to every variant of it, through the same best_offer."""
    return apply_offers(variants, active_offers(conn, [v["product_id"] for v in variants], now), key="product_id")


def apply_offers(products: list[dict[str, Any]], by_product: dict[int, list[dict[str, Any]]],
                 key: str = "id") -> list[dict[str, Any]]:
    """Add sale_price, offer and unit_price from each row's product's active offers (already looked up)."""
    for product in products:
        sale_price, offer = best_offer(product["price"], by_product.get(product[key], []))
        product["sale_price"], product["offer"] = sale_price, offer
        product["unit_price"] = sale_price if sale_price is not None else product["price"]
    return products


# ---------------------------------------------------------------- the current_price cache
# Filtering and sorting 100k products by the price a shopper pays cannot run price_products over
# every row per request, and computing the best offer per row in SQL would be a correlated subquery
# per product (a full scan). So products.current_price caches price_products' answer, and the
# listing filters and sorts on it through ix_products_price. The cache is written only here, from
# price_products, so there is still one price function. It goes stale in three ways, each handled:
# a product or offer changes (its service refreshes the targets in the same transaction), a
# category moves (its subtree is refreshed), or time passes an offer's start or end (the listing
# calls ensure_current_prices first: one index range over offers' windows since the last refresh).
BATCH = 1000
UNPRICED_BATCH = 5000


def refresh_current_prices(conn, product_ids: list[int], now: datetime) -> int:
    """Store price_products' unit_price in products.current_price for these products, and each of their
    active variants' in product_variants.current_price (the listing's price filter); returns products priced.

    A product with variants is priced at its lowest variant list price (products.variant_price), so its
    current_price is what its cheapest variant costs now, as the listing shows it.
    """
    repo, variants, done = ProductRepository(conn), VariantRepository(conn), 0
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        by_product = active_offers(conn, batch, now)
        rows = apply_offers(repo.list_prices(batch), by_product)
        done += len(rows)
        repo.update_current_prices([(row["id"], row["unit_price"]) for row in rows])
        priced = apply_offers(variants.list_prices(batch), by_product, key="product_id")
        for chunk in range(0, len(priced), BATCH):
            variants.update_current_prices([(v["id"], v["unit_price"]) for v in priced[chunk:chunk + BATCH]])
    return done


def refresh_offer_targets(conn, offers: Iterable[dict[str, Any]], now: datetime) -> int:
    """Refresh current prices of every product an offer aims at (the product, or the category subtree)."""
    categories, products = CategoryRepository(conn), ProductRepository(conn)
    ids: set[int] = set()
    for offer in offers:
        if offer.get("product_id"):
            ids.add(offer["product_id"])
        elif offer.get("category_id"):
            category = categories.get_category(offer["category_id"])
            if category:
                ids.update(products.list_ids_in_categories(categories.list_subtree_ids(category["path"])))
    return refresh_current_prices(conn, list(ids), now)


def ensure_current_prices(conn, now: datetime) -> int:
    """Bring the cache up to date with time (offers that started or ended) and unpriced rows; returns rows priced."""
    repo = OfferRepository(conn)
    if not repo.needs_pricing(now):  # the usual case, answered in one round trip
        return 0
    done = refresh_current_prices(conn, ProductRepository(conn).list_unpriced_ids(UNPRICED_BATCH), now)
    priced_at = repo.get_priced_at() or datetime(1970, 1, 1)
    if priced_at == now:
        return done
    # Either direction: tests move the clock back as well as forward.
    lo, hi = min(priced_at, now), max(priced_at, now)
    crossing = repo.list_crossing(lo, hi)
    if crossing:
        done += refresh_offer_targets(conn, crossing, now)
        repo.set_priced_at(now)
    elif priced_at.year == 1970:
        repo.set_priced_at(now)
    return done
