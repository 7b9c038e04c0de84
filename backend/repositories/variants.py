"""SQL for product variants: their option names and values, stock, prices, and the product's summary of them."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository, placeholders

_COLUMNS = "v.id, v.product_id, v.sku, v.price AS own_price, v.stock, v.is_archived, v.created_at, v.updated_at"
# A product's active variants (or all, archived too), oldest first, with their list price (own or the product's).
LIST_FOR_PRODUCTS = f"""
SELECT {_COLUMNS}, COALESCE(v.price, p.price) AS price
FROM product_variants v JOIN products p ON p.id = v.product_id
WHERE v.product_id IN ({{ids}}) AND v.is_archived = 0 ORDER BY v.product_id, v.id"""
# One variant of one product (archived ones too: the service decides what they mean).
GET = f"""
SELECT {_COLUMNS}, COALESCE(v.price, p.price) AS price, v.options_key
FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = %s AND v.product_id = %s"""
# The same, locked for a change (the product row is locked before it: one lock order everywhere).
GET_FOR_UPDATE = GET + " FOR UPDATE"
# Some variants by id with what the cart and checkout need of them.
LIST_BY_IDS = f"""
SELECT {_COLUMNS}, COALESCE(v.price, p.price) AS price FROM product_variants v JOIN products p ON p.id = v.product_id
WHERE v.id IN ({{ids}})"""
# Option values of some variants, in the product's option order.
LIST_VALUES = """
SELECT vv.variant_id, o.name, vv.value, o.position
FROM variant_option_values vv JOIN product_options o ON o.id = vv.option_id
WHERE vv.variant_id IN ({ids}) ORDER BY vv.variant_id, o.position"""
# A product's option names, in the order they were first used.
LIST_OPTIONS = "SELECT id, name, position FROM product_options WHERE product_id = %s ORDER BY position"
# A new option name, after the product's others.
ADD_OPTION = """
INSERT INTO product_options (product_id, name, position)
SELECT %s, %s, COALESCE(MAX(position), 0) + 1 FROM product_options WHERE product_id = %s"""
# Option names no variant uses any more (they would otherwise keep their old place in the order).
REMOVE_UNUSED_OPTIONS = """
DELETE FROM product_options WHERE product_id = %s
  AND NOT EXISTS (SELECT 1 FROM variant_option_values vv WHERE vv.option_id = product_options.id)"""
ADD = """
INSERT INTO product_variants (product_id, sku, price, stock, options_key, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)"""
ADD_VALUE = "INSERT INTO variant_option_values (variant_id, option_id, value) VALUES (%s, %s, %s)"
REMOVE_VALUES = "DELETE FROM variant_option_values WHERE variant_id = %s"
# Does another variant (archived or not) have this SKU?
SKU_TAKEN = "SELECT EXISTS(SELECT 1 FROM product_variants WHERE sku = %s AND id <> %s) AS n"
# Does another active variant of the product have this combination?
COMBINATION_TAKEN = """
SELECT EXISTS(SELECT 1 FROM product_variants WHERE product_id = %s AND options_key = %s AND id <> %s) AS n"""
# Is the variant in any order? (Then it is archived, never erased.)
IN_ORDERS = "SELECT EXISTS(SELECT 1 FROM order_items WHERE variant_id = %s) AS n"
# Hide a variant; its combination is free again for a new one.
ARCHIVE = "UPDATE product_variants SET is_archived = 1, options_key = NULL, updated_at = %s WHERE id = %s"
REMOVE = "DELETE FROM product_variants WHERE id = %s"
# Cart and saved lines of an erased variant go with it (variant_id carries no foreign key: 0 is no variant).
REMOVE_CART_LINES = "DELETE FROM cart_items WHERE variant_id = %s"
REMOVE_SAVED_LINES = "DELETE FROM saved_items WHERE variant_id = %s"
# What the storefront shows for a product with variants: the lowest list price and the stock sum of its
# active variants (n = 0: it has none).
GET_SUMMARY = """
SELECT COUNT(*) AS n, MIN(COALESCE(v.price, p.price)) AS low, COALESCE(SUM(v.stock), 0) AS total
FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.product_id = %s AND v.is_archived = 0"""
# Store that summary (variant_price NULL: a simple product again).
SET_SUMMARY = "UPDATE products SET variant_price = %s, stock = %s WHERE id = %s"
# List prices of the active variants of some products (pricing refreshes their current_price).
LIST_PRICES = """
SELECT v.id, v.product_id, COALESCE(v.price, p.price) AS price FROM product_variants v
JOIN products p ON p.id = v.product_id WHERE v.product_id IN ({ids}) AND v.is_archived = 0"""
# Store current prices: CASE id WHEN ... THEN ... END over one batch.
UPDATE_CURRENT = "UPDATE product_variants SET current_price = CASE id {cases} END WHERE id IN ({ids})"
# Take units of a variant only while enough are left (the product row is taken first, see OrderRepository).
TAKE_STOCK = """
UPDATE product_variants SET stock = stock - %s WHERE id = %s AND product_id = %s AND stock >= %s AND is_archived = 0"""
RETURN_STOCK = "UPDATE product_variants SET stock = stock + %s WHERE id = %s"

# Columns a staff update may change: the whitelist UPDATE statements are built from.
UPDATABLE = ("sku", "price", "stock", "options_key")



class VariantRepository(Repository):
    def list_for_products(self, product_ids: list[int]) -> list[dict[str, Any]]:
        """Active variants of these products, oldest first."""
        if not product_ids:
            return []
        return self._all(LIST_FOR_PRODUCTS.format(ids=placeholders(product_ids)), product_ids)

    def get_variant(self, product_id: int, variant_id: int, lock: bool = False) -> dict[str, Any] | None:
        return self._one(GET_FOR_UPDATE if lock else GET, (variant_id, product_id))

    def list_by_ids(self, variant_ids: list[int]) -> list[dict[str, Any]]:
        if not variant_ids:
            return []
        return self._all(LIST_BY_IDS.format(ids=placeholders(variant_ids)), variant_ids)

    def list_values(self, variant_ids: list[int]) -> list[dict[str, Any]]:
        """(variant_id, name, value, position) rows in option order."""
        if not variant_ids:
            return []
        return self._all(LIST_VALUES.format(ids=placeholders(variant_ids)), variant_ids)

    def list_options(self, product_id: int) -> list[dict[str, Any]]:
        return self._all(LIST_OPTIONS, (product_id,))

    def add_option(self, product_id: int, name: str) -> int:
        return self._insert(ADD_OPTION, (product_id, name, product_id))

    def remove_unused_options(self, product_id: int) -> int:
        return self._change(REMOVE_UNUSED_OPTIONS, (product_id,))

    def add_variant(self, product_id: int, values: dict[str, Any], now: Any) -> int:
        return self._insert(ADD, (product_id, values["sku"], values.get("price"), values["stock"],
                                  values["options_key"], now, now))

    def add_values(self, variant_id: int, values: list[tuple[int, str]]) -> int:
        """Store (option_id, value) pairs of a variant."""
        return self._insert_many(ADD_VALUE, [(variant_id, option_id, value) for option_id, value in values])

    def remove_values(self, variant_id: int) -> int:
        return self._change(REMOVE_VALUES, (variant_id,))

    def update_variant(self, variant_id: int, changes: dict[str, Any], now: Any) -> int:
        columns = [name for name in UPDATABLE if name in changes]
        if not columns:
            return 0
        # Column names come only from the UPDATABLE whitelist; values are parameters.
        assignments = ", ".join(f"{name} = %s" for name in columns)
        return self._change(f"UPDATE product_variants SET {assignments}, updated_at = %s WHERE id = %s",
                            [*(changes[name] for name in columns), now, variant_id])

    def exists_sku(self, sku: str, except_id: int = 0) -> bool:
        return bool(self._scalar(SKU_TAKEN, (sku, except_id)))

    def exists_combination(self, product_id: int, options_key: str, except_id: int = 0) -> bool:
        return bool(self._scalar(COMBINATION_TAKEN, (product_id, options_key, except_id)))

    def exists_in_orders(self, variant_id: int) -> bool:
        return bool(self._scalar(IN_ORDERS, (variant_id,)))

    def archive_variant(self, variant_id: int, now: Any) -> int:
        return self._change(ARCHIVE, (now, variant_id))

    def remove_variant(self, variant_id: int) -> int:
        self._change(REMOVE_CART_LINES, (variant_id,))
        self._change(REMOVE_SAVED_LINES, (variant_id,))
        return self._change(REMOVE, (variant_id,))

    def get_summary(self, product_id: int) -> dict[str, Any]:
        """n (active variants), low (lowest list price) and total (stock sum) of a product's variants."""
        return self._row(GET_SUMMARY, (product_id,))

    def update_product_summary(self, product_id: int, variant_price: Any, stock: int) -> int:
        return self._change(SET_SUMMARY, (variant_price, stock, product_id))

    def list_prices(self, product_ids: list[int]) -> list[dict[str, Any]]:
        if not product_ids:
            return []
        return self._all(LIST_PRICES.format(ids=placeholders(product_ids)), product_ids)

    def update_current_prices(self, prices: list[tuple[int, Any]]) -> int:
        """Store (variant id, current_price) pairs in one statement."""
        if not prices:
            return 0
        cases = " ".join(["WHEN %s THEN %s"] * len(prices))
        sql = UPDATE_CURRENT.format(cases=cases, ids=placeholders([pid for pid, _ in prices]))
        args = [v for pair in prices for v in pair] + [pid for pid, _ in prices]
        return self._change(sql, args)

    def update_take_stock(self, product_id: int, variant_id: int, quantity: int) -> bool:
        """Take units of a variant; False when fewer are left (or it is archived)."""
        return self._change(TAKE_STOCK, (quantity, variant_id, product_id, quantity)) == 1

    def update_return_stock(self, variant_id: int, quantity: int) -> int:
        return self._change(RETURN_STOCK, (quantity, variant_id))
