"""SQL for carts (of a user or of a guest token hash), their lines, and saved-for-later items."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository

# A user's cart id, touched (so the cleanup sees it in use); LAST_INSERT_ID(id) makes a duplicate
# insert answer the existing id (MySQL and MariaDB).
ADD_USER_CART = """
INSERT INTO carts (user_id, updated_at) VALUES (%s, %s)
ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), updated_at = %s"""
# A guest's cart id, keyed by the SHA-256 of the cookie token, touched likewise.
ADD_GUEST_CART = """
INSERT INTO carts (guest_token_hash, updated_at) VALUES (%s, %s)
ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), updated_at = %s"""
GET_USER_CART = "SELECT id FROM carts WHERE user_id = %s"
# The user's cart row locked: one checkout of a cart at a time (a second one then finds it empty). Its
# coupon_id comes along: a cart without a coupon needs no coupon read.
LOCK_USER_CART = "SELECT id, coupon_id FROM carts WHERE user_id = %s FOR UPDATE"
GET_GUEST_CART = "SELECT id FROM carts WHERE guest_token_hash = %s"
# The same, locked: two merges of one cookie (a login and a request still sending it) take turns.
GET_GUEST_CART_FOR_UPDATE = GET_GUEST_CART + " FOR UPDATE"
REMOVE_CART = "DELETE FROM carts WHERE id = %s"
# Put a coupon on a cart (None takes it off).
SET_COUPON = "UPDATE carts SET coupon_id = %s WHERE id = %s"
# The coupon on a cart (None: none).
GET_COUPON = "SELECT coupon_id FROM carts WHERE id = %s"
# What a line (product, variant; variant 0 = none) is now: the variant's price (own, else the product's) and
# stock, or the product's; unavailable ("archived") when the product is archived, when its variant is gone or
# archived, or when a line without a variant is of a product that has variants now.
_LINE = """
{alias}.product_id, {alias}.product_id AS id, NULLIF({alias}.variant_id, 0) AS variant_id, {alias}.quantity,
p.name, COALESCE(v.price, p.price) AS price, v.sku,
CASE WHEN {alias}.variant_id = 0 THEN p.stock ELSE COALESCE(v.stock, 0) END AS stock,
(p.is_archived = 1 OR CASE WHEN {alias}.variant_id = 0 THEN p.variant_price IS NOT NULL
                          ELSE v.id IS NULL OR v.is_archived = 1 END) AS is_archived,
COALESCE(p.cover_url, p.image_url) AS image_url"""
_LINE_JOIN = """
JOIN products p ON p.id = {alias}.product_id
LEFT JOIN product_variants v ON v.id = {alias}.variant_id AND v.product_id = {alias}.product_id"""
# The cart's lines with what they are now, oldest line first.
LIST_LINES = f"""
SELECT {_LINE.format(alias="ci")} FROM cart_items ci {_LINE_JOIN.format(alias="ci")}
WHERE ci.cart_id = %s ORDER BY ci.added_at, ci.product_id, ci.variant_id"""
GET_QUANTITY = "SELECT quantity FROM cart_items WHERE cart_id = %s AND product_id = %s AND variant_id = %s"
# Add to a line, creating it when missing.
ADD_QUANTITY = """
INSERT INTO cart_items (cart_id, product_id, variant_id, quantity, added_at) VALUES (%s, %s, %s, %s, %s)
ON DUPLICATE KEY UPDATE quantity = quantity + %s"""
SET_QUANTITY = "UPDATE cart_items SET quantity = %s WHERE cart_id = %s AND product_id = %s AND variant_id = %s"
REMOVE_LINE = "DELETE FROM cart_items WHERE cart_id = %s AND product_id = %s AND variant_id = %s"
REMOVE_LINES = "DELETE FROM cart_items WHERE cart_id = %s"
# A user's saved-for-later items with what they are now (as cart lines), most recently saved first.
LIST_SAVED = f"""
SELECT {_LINE.format(alias="s")}, s.saved_at FROM saved_items s {_LINE_JOIN.format(alias="s")}
WHERE s.user_id = %s ORDER BY s.saved_at DESC, s.product_id DESC, s.variant_id DESC LIMIT %s OFFSET %s"""
COUNT_SAVED = "SELECT COUNT(*) AS n FROM saved_items WHERE user_id = %s"
GET_SAVED_QUANTITY = "SELECT quantity FROM saved_items WHERE user_id = %s AND product_id = %s AND variant_id = %s"
# Save a quantity for later, adding to what is already saved.
ADD_SAVED = """
INSERT INTO saved_items (user_id, product_id, variant_id, quantity, saved_at) VALUES (%s, %s, %s, %s, %s)
ON DUPLICATE KEY UPDATE quantity = quantity + %s, saved_at = %s"""
REMOVE_SAVED = "DELETE FROM saved_items WHERE user_id = %s AND product_id = %s AND variant_id = %s"


class CartRepository(Repository):
    def add_user_cart(self, user_id: int, now: Any) -> int:
        """The user's cart id, created when missing."""
        return self._insert(ADD_USER_CART, (user_id, now, now))

    def add_guest_cart(self, token_hash: str, now: Any) -> int:
        """The guest's cart id, created when missing."""
        return self._insert(ADD_GUEST_CART, (token_hash, now, now))

    def get_user_cart_for_update(self, user_id: int) -> dict[str, Any] | None:
        """The user's cart row (id, coupon_id), locked to the end of the transaction; None: no cart."""
        return self._one(LOCK_USER_CART, (user_id,))

    def get_user_cart_id(self, user_id: int) -> int | None:
        return self._scalar(GET_USER_CART, (user_id,))

    def get_guest_cart_id(self, token_hash: str, lock: bool = False) -> int | None:
        return self._scalar(GET_GUEST_CART_FOR_UPDATE if lock else GET_GUEST_CART, (token_hash,))

    def remove_cart(self, cart_id: int) -> int:
        return self._change(REMOVE_CART, (cart_id,))

    def update_coupon(self, cart_id: int, coupon_id: int | None) -> int:
        return self._change(SET_COUPON, (coupon_id, cart_id))

    def get_coupon_id(self, cart_id: int) -> int | None:
        return self._scalar(GET_COUPON, (cart_id,))

    def list_lines(self, cart_id: int) -> list[dict[str, Any]]:
        return self._all(LIST_LINES, (cart_id,))

    # A line is (product_id, variant): variant None or 0 is a product without variants.
    def get_quantity(self, cart_id: int, product_id: int, variant_id: int | None = None) -> int:
        return int(self._scalar(GET_QUANTITY, (cart_id, product_id, variant_id or 0)) or 0)

    def add_quantity(self, cart_id: int, product_id: int, quantity: int, now: Any,
                     variant_id: int | None = None) -> int:
        return self._change(ADD_QUANTITY, (cart_id, product_id, variant_id or 0, quantity, now, quantity))

    def update_quantity(self, cart_id: int, product_id: int, quantity: int, variant_id: int | None = None) -> int:
        return self._change(SET_QUANTITY, (quantity, cart_id, product_id, variant_id or 0))

    def remove_line(self, cart_id: int, product_id: int, variant_id: int | None = None) -> int:
        return self._change(REMOVE_LINE, (cart_id, product_id, variant_id or 0))

    def remove_lines(self, cart_id: int) -> int:
        return self._change(REMOVE_LINES, (cart_id,))

    def list_saved(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_SAVED, (user_id, limit, offset))

    def count_saved(self, user_id: int) -> int:
        return int(self._scalar(COUNT_SAVED, (user_id,)))

    def get_saved_quantity(self, user_id: int, product_id: int, variant_id: int | None = None) -> int:
        return int(self._scalar(GET_SAVED_QUANTITY, (user_id, product_id, variant_id or 0)) or 0)

    def add_saved(self, user_id: int, product_id: int, quantity: int, now: Any, variant_id: int | None = None) -> int:
        return self._change(ADD_SAVED, (user_id, product_id, variant_id or 0, quantity, now, quantity, now))

    def remove_saved(self, user_id: int, product_id: int, variant_id: int | None = None) -> int:
        return self._change(REMOVE_SAVED, (user_id, product_id, variant_id or 0))
