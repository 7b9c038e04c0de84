"""SQL for offers (discounts on a product or a category subtree, within a time window)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository, placeholders

# Offers active at a moment for each of the given products: on the product itself or on any
# category whose path is a prefix of the product's category path (an ancestor or the category).
LIST_ACTIVE_FOR_PRODUCTS = """
SELECT p.id AS product_id, o.id, o.name, o.percent_off, o.amount_off, o.product_id AS offer_product_id,
       o.category_id, o.starts_at, o.ends_at
FROM products p
JOIN offers o ON o.starts_at <= %s AND o.ends_at > %s
LEFT JOIN categories pc ON pc.id = p.category_id
LEFT JOIN categories oc ON oc.id = o.category_id
WHERE p.id IN ({ids})
  AND (o.product_id = p.id OR (oc.id IS NOT NULL AND pc.path LIKE CONCAT(oc.path, '%%')))"""

_COLUMNS = "id, name, percent_off, amount_off, product_id, category_id, starts_at, ends_at, created_at"
# One page of offers, newest first.
LIST_PAGE = f"SELECT {_COLUMNS} FROM offers ORDER BY id DESC LIMIT %s OFFSET %s"
# How many offers exist.
COUNT = "SELECT COUNT(*) AS n FROM offers"
# One offer.
GET = f"SELECT {_COLUMNS} FROM offers WHERE id = %s"
# One offer locked for a change.
GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM offers WHERE id = %s FOR UPDATE"
# A new offer.
ADD = """
INSERT INTO offers (name, percent_off, amount_off, product_id, category_id, starts_at, ends_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)"""
# Replace every editable field of an offer (the service merges a PATCH first).
UPDATE = """
UPDATE offers SET name = %s, percent_off = %s, amount_off = %s, product_id = %s, category_id = %s,
       starts_at = %s, ends_at = %s WHERE id = %s"""
# Erase an offer.
REMOVE = "DELETE FROM offers WHERE id = %s"
# Offers that start or end inside a time interval (lo, hi]: their targets' prices changed then.
LIST_CROSSING = f"""
SELECT {_COLUMNS} FROM offers WHERE starts_at > %s AND starts_at <= %s
UNION
SELECT {_COLUMNS} FROM offers WHERE ends_at > %s AND ends_at <= %s"""
# Whether current prices need any work now, in one round trip: unpriced visible rows, or an offer that
# started or ended between the last refresh and now (either direction), each an index range.
NEEDS_PRICING = """
SELECT EXISTS(SELECT 1 FROM products WHERE is_archived = 0 AND current_price IS NULL) AS unpriced,
       EXISTS(SELECT 1 FROM price_cache_state WHERE id = 1) AS priced,
       EXISTS(SELECT 1 FROM offers WHERE starts_at > LEAST((SELECT priced_at FROM price_cache_state WHERE id = 1), %s)
              AND starts_at <= GREATEST((SELECT priced_at FROM price_cache_state WHERE id = 1), %s)) AS started,
       EXISTS(SELECT 1 FROM offers WHERE ends_at > LEAST((SELECT priced_at FROM price_cache_state WHERE id = 1), %s)
              AND ends_at <= GREATEST((SELECT priced_at FROM price_cache_state WHERE id = 1), %s)) AS ended"""
# When current prices were last brought up to date.
GET_PRICED_AT = "SELECT priced_at FROM price_cache_state WHERE id = 1"
# Remember when current prices were brought up to date.
SET_PRICED_AT = """
INSERT INTO price_cache_state (id, priced_at) VALUES (1, %s) ON DUPLICATE KEY UPDATE priced_at = VALUES(priced_at)"""


class OfferRepository(Repository):
    def list_active_for_products(self, product_ids: list[int], now: datetime) -> list[dict[str, Any]]:
        if not product_ids:
            return []
        sql = LIST_ACTIVE_FOR_PRODUCTS.format(ids=placeholders(product_ids))
        return self._all(sql, (now, now, *product_ids))

    def list_offers(self, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_PAGE, (limit, offset))

    def count_offers(self) -> int:
        return int(self._scalar(COUNT))

    def get_offer(self, offer_id: int, lock: bool = False) -> dict[str, Any] | None:
        return self._one(GET_FOR_UPDATE if lock else GET, (offer_id,))

    def add_offer(self, o: dict[str, Any]) -> int:
        return self._insert(ADD, (o["name"], o.get("percent_off"), o.get("amount_off"), o.get("product_id"),
                                  o.get("category_id"), o["starts_at"], o["ends_at"]))

    def update_offer(self, offer_id: int, o: dict[str, Any]) -> int:
        return self._change(UPDATE, (o["name"], o.get("percent_off"), o.get("amount_off"), o.get("product_id"),
                                     o.get("category_id"), o["starts_at"], o["ends_at"], offer_id))

    def remove_offer(self, offer_id: int) -> int:
        return self._change(REMOVE, (offer_id,))

    def list_crossing(self, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
        return self._all(LIST_CROSSING, (lo, hi, lo, hi))

    def needs_pricing(self, now: datetime) -> bool:
        """True unless every visible product is priced and no offer window edge passed since the last refresh."""
        row = self._row(NEEDS_PRICING, (now, now, now, now))
        return bool(row["unpriced"] or not row["priced"] or row["started"] or row["ended"])

    def get_priced_at(self) -> datetime | None:
        return self._scalar(GET_PRICED_AT)

    def set_priced_at(self, moment: datetime) -> int:
        return self._change(SET_PRICED_AT, (moment,))
