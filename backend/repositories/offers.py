"""SQL for offers (discounts on a product or a category subtree, within a time window)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository

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


class OfferRepository(Repository):
    def list_active_for_products(self, product_ids: list[int], now: datetime) -> list[dict[str, Any]]:
        if not product_ids:
            return []
        # Only the count of %s placeholders is built here; every value is still a parameter.
        sql = LIST_ACTIVE_FOR_PRODUCTS.format(ids=", ".join(["%s"] * len(product_ids)))
        return self._all(sql, (now, now, *product_ids))
