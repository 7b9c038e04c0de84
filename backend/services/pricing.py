"""The money rules, stated once: a product's current price (list price less its best active offer), and an
order's totals (list price -> offers -> coupon -> shipping -> tax)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.db import Connection
from backend.repositories.categories import CategoryRepository
from backend.repositories.offers import OfferRepository
from backend.repositories.products import ProductRepository
from backend.repositories.variants import VariantRepository

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_MAX = Decimal("9999999999.99")  # DECIMAL(12,2): the most any price or total can be
HUNDRED = Decimal(100)


def to_cent(amount: Decimal) -> Decimal:
    """Rounded half-up to the cent, the one rounding rule for money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


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
    after = to_cent(price - cut)
    return after if after > 0 else None


def best_offer(price: Decimal, offers: Iterable[dict[str, Any]]) -> tuple[Decimal | None, dict[str, Any] | None]:
    """The lowest price any applicable offer gives, with that offer; (None, None) when none applies."""
    best: tuple[Decimal | None, dict[str, Any] | None] = (None, None)
    for offer in sorted(offers, key=lambda o: o["id"]):
        candidate = discounted(price, offer)
        if candidate is not None and (best[0] is None or candidate < best[0]):
            best = (candidate, offer)
    return best


def offer_active(offer: dict[str, Any], now: datetime) -> bool:
    """True inside the offer's window: from starts_at on, up to but not at ends_at (as the offer SQL reads it)."""
    return offer["starts_at"] <= now < offer["ends_at"]


def active_offers(conn: Connection, product_ids: list[int], now: datetime) -> dict[int, list[dict[str, Any]]]:
    """The offers active now for each of these products (on it or on its category's ancestors), in one query."""
    by_product: dict[int, list[dict[str, Any]]] = {}
    for offer in OfferRepository(conn).list_active_for_products(sorted(set(product_ids)), now):
        by_product.setdefault(offer["product_id"], []).append(offer)
    return by_product


def price_products(conn: Connection, products: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Add sale_price and offer to each product row (which must have id and price), in one query."""
    return apply_offers(products, active_offers(conn, [p["id"] for p in products], now))


def price_variants(conn: Connection, variants: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
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
# listing filters and sorts on it through ix_products_price (and ix_products_listing, which carries it
# for a price filter sorted by date). The cache is written only here, from
# price_products, so there is still one price function. It goes stale in three ways, each handled:
# a product or offer changes (its service refreshes the targets in the same transaction), a
# category moves (its subtree is refreshed), or time passes an offer's start or end (the listing
# calls ensure_current_prices first: one index range over offers' windows since the last refresh).
BATCH = 1000
UNPRICED_BATCH = 5000


def refresh_current_prices(conn: Connection, product_ids: list[int], now: datetime) -> int:
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


def refresh_offer_targets(conn: Connection, offers: Iterable[dict[str, Any]], now: datetime) -> int:
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


def ensure_current_prices(conn: Connection, now: datetime) -> int:
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


# ---------------------------------------------------------------- an order's totals
# The money rules, in order, for the cart, the checkout summary and the order alike:
#   1. subtotal: list prices x quantities.
#   2. offers: each line at its best offer's price (price_products); what they take off is the offer discount.
#   3. coupon: on the merchandise after offers, percent rounded half-up to the cent, never more than it.
#      discount_total = offer discount + coupon; merchandise = subtotal - discount_total.
#   4. shipping: the method's price, free when merchandise >= its free_from (never free when that is None);
#      nothing to ship, nothing to pay. Without methods configured, FLAT_SHIPPING.
#   5. tax: on merchandise + shipping at the country's rate, rounded half-up once per order. Prices that
#      include tax (PRICES_INCLUDE_TAX) contain it: total = merchandise + shipping, and tax_total is the part of
#      it that is tax. Otherwise it is added: total = merchandise + shipping + tax_total.


@dataclass(frozen=True)
class ShippingRule:
    """What a way of shipping costs: its price, and the merchandise value from which it is free (None: never)."""
    price: Decimal
    free_from: Decimal | None


# The rule a shop without shipping methods has always had: 4.99, free from 50.00.
FLAT_SHIPPING = ShippingRule(price=Decimal("4.99"), free_from=Decimal("50.00"))


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    offer_discount: Decimal
    coupon_amount: Decimal
    discount_total: Decimal
    shipping: Decimal | None  # None: no way of shipping is known yet (no country, or none serves it)
    tax_rate: Decimal | None  # None: no country known yet, so no rate
    tax_total: Decimal | None
    total: Decimal


def coupon_amount(merchandise: Decimal, percent_off: Decimal | None, amount_off: Decimal | None) -> Decimal:
    """What a coupon takes off merchandise worth this much (after offers): never more than it, never negative."""
    if merchandise <= 0:
        return ZERO
    cut = to_cent(merchandise * percent_off / HUNDRED) if percent_off is not None else Decimal(amount_off or 0)
    return max(ZERO, min(cut, merchandise))


def shipping_price(merchandise: Decimal, item_count: int, rule: ShippingRule) -> Decimal:
    """The rule's price for this merchandise (after every discount); nothing when there is nothing to ship."""
    if item_count == 0 or (rule.free_from is not None and merchandise >= rule.free_from):
        return ZERO
    return rule.price


def tax_in(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    """The tax at rate percent on amount: the part of it that is tax when included, else what is added."""
    if included:
        return to_cent(amount * rate / (HUNDRED + rate))
    return to_cent(amount * rate / HUNDRED)


def order_totals(subtotal: Decimal, offer_discount: Decimal, item_count: int, *,
                 coupon: tuple[Decimal | None, Decimal | None] | None = None,
                 shipping: ShippingRule | None = FLAT_SHIPPING, tax_rate: Decimal | None = None,
                 prices_include_tax: bool = True) -> Totals:
    """An order's totals by the rules above. coupon is (percent_off, amount_off); shipping None when no way of
    shipping is known (its price and the total leave it out); tax_rate None when no country is known."""
    after_offers = subtotal - offer_discount
    cut = coupon_amount(after_offers, *coupon) if coupon else ZERO
    merchandise = after_offers - cut
    fee = shipping_price(merchandise, item_count, shipping) if shipping is not None else None
    taxable = merchandise + (fee or ZERO)
    tax = tax_in(taxable, tax_rate, prices_include_tax) if tax_rate is not None else None
    total = taxable if prices_include_tax else taxable + (tax or ZERO)
    return Totals(subtotal=subtotal, offer_discount=offer_discount, coupon_amount=cut,
                  discount_total=offer_discount + cut, shipping=fee, tax_rate=tax_rate, tax_total=tax, total=total)


def too_large(totals: Totals) -> bool:
    """True when an order this size cannot be kept: its subtotal or total is over MONEY_MAX."""
    return max(totals.subtotal, totals.total) > MONEY_MAX
