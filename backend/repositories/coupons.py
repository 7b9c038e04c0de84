"""SQL for coupons and their uses (one coupon_uses row per order that used one)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository, like

_COLUMNS = """id, code, percent_off, amount_off, min_subtotal, starts_at, ends_at, max_uses, max_uses_per_user,
is_active, times_used, created_at, updated_at"""
# One page of coupons, newest first, optionally those whose code contains some text.
LIST_PAGE = f"""
SELECT {_COLUMNS} FROM coupons WHERE (%s IS NULL OR code LIKE %s)
ORDER BY id DESC LIMIT %s OFFSET %s"""
# How many coupons the same filter finds.
COUNT = "SELECT COUNT(*) AS n FROM coupons WHERE (%s IS NULL OR code LIKE %s)"
# One coupon.
GET = f"SELECT {_COLUMNS} FROM coupons WHERE id = %s"
# One coupon locked: for a change, or for claiming a use (the uses of one coupon are serialised by it).
GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM coupons WHERE id = %s FOR UPDATE"
# A coupon by its code (stored upper case; the column's collation ignores case as well).
GET_BY_CODE = f"SELECT {_COLUMNS} FROM coupons WHERE code = %s"
# The coupon on a cart, with the cart's user (None for a guest's cart).
GET_FOR_CART = """
SELECT c.id, c.code, c.percent_off, c.amount_off, c.min_subtotal, c.starts_at, c.ends_at, c.max_uses,
       c.max_uses_per_user, c.is_active, c.times_used, c.created_at, c.updated_at, carts.user_id AS cart_user_id
FROM carts JOIN coupons c ON c.id = carts.coupon_id WHERE carts.id = %s"""
# A new coupon.
ADD = """
INSERT INTO coupons (code, percent_off, amount_off, min_subtotal, starts_at, ends_at, max_uses, max_uses_per_user,
                     is_active) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"""
# Replace every editable field of a coupon (the service merges a PATCH first).
UPDATE = """
UPDATE coupons SET code = %s, percent_off = %s, amount_off = %s, min_subtotal = %s, starts_at = %s, ends_at = %s,
       max_uses = %s, max_uses_per_user = %s, is_active = %s WHERE id = %s"""
# Erase a coupon (orders keep its code and amount: their coupon_id is set null; carts lose it).
REMOVE = "DELETE FROM coupons WHERE id = %s"
# Take one use, only while some are left: the check and the count in one statement under the row lock.
CLAIM = "UPDATE coupons SET times_used = times_used + 1 WHERE id = %s AND (max_uses IS NULL OR times_used < max_uses)"
# Give one use back (an order cancelled or refunded).
RELEASE = "UPDATE coupons SET times_used = times_used - 1 WHERE id = %s AND times_used > 0"
# How many orders of a user used a coupon; a locking read, so it sees the latest commits (after the coupon lock).
COUNT_USER_USES = "SELECT COUNT(*) AS n FROM coupon_uses WHERE coupon_id = %s AND user_id = %s LOCK IN SHARE MODE"
# The same without locking, for what a cart shows.
COUNT_USER_USES_NOW = "SELECT COUNT(*) AS n FROM coupon_uses WHERE coupon_id = %s AND user_id = %s"
# Record an order's use of a coupon.
ADD_USE = "INSERT INTO coupon_uses (order_id, coupon_id, user_id, created_at) VALUES (%s, %s, %s, %s)"
# The coupon an order used (None: none, or already given back).
GET_USE = "SELECT coupon_id FROM coupon_uses WHERE order_id = %s"
# The order's coupon, set once its use is claimed (see services.coupons.claim).
SET_ORDER_COUPON = "UPDATE orders SET coupon_id = %s WHERE id = %s"
# Forget an order's use.
REMOVE_USE = "DELETE FROM coupon_uses WHERE order_id = %s"


class CouponRepository(Repository):
    def list_coupons(self, q: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_PAGE, (q, like(q) if q else None, limit, offset))

    def count_coupons(self, q: str | None) -> int:
        return int(self._scalar(COUNT, (q, like(q) if q else None)))

    def get_coupon(self, coupon_id: int, lock: bool = False) -> dict[str, Any] | None:
        return self._one(GET_FOR_UPDATE if lock else GET, (coupon_id,))

    def get_by_code(self, code: str) -> dict[str, Any] | None:
        return self._one(GET_BY_CODE, (code,))

    def get_for_cart(self, cart_id: int) -> dict[str, Any] | None:
        return self._one(GET_FOR_CART, (cart_id,))

    def add_coupon(self, c: dict[str, Any]) -> int | None:
        """The new coupon's id, or None when its code is taken (a concurrent writer got there first)."""
        return self._unless_duplicate(lambda: self._insert(ADD, (
            c["code"], c["percent_off"], c["amount_off"], c["min_subtotal"], c["starts_at"], c["ends_at"],
            c["max_uses"], c["max_uses_per_user"], int(c["is_active"]))))

    def update_coupon(self, coupon_id: int, c: dict[str, Any]) -> int | None:
        """Rows changed, or None when the new code is taken."""
        return self._unless_duplicate(lambda: self._change(UPDATE, (
            c["code"], c["percent_off"], c["amount_off"], c["min_subtotal"], c["starts_at"], c["ends_at"],
            c["max_uses"], c["max_uses_per_user"], int(c["is_active"]), coupon_id)))

    def remove_coupon(self, coupon_id: int) -> int:
        return self._change(REMOVE, (coupon_id,))

    def update_claim(self, coupon_id: int) -> int:
        """1 when a use was taken, 0 when none is left."""
        return self._change(CLAIM, (coupon_id,))

    def update_release(self, coupon_id: int) -> int:
        return self._change(RELEASE, (coupon_id,))

    def count_user_uses(self, coupon_id: int, user_id: int, lock: bool = False) -> int:
        return int(self._scalar(COUNT_USER_USES if lock else COUNT_USER_USES_NOW, (coupon_id, user_id)))

    def add_use(self, order_id: int, coupon_id: int, user_id: int | None, now: datetime) -> None:
        self._change(ADD_USE, (order_id, coupon_id, user_id, now))

    def get_use(self, order_id: int) -> int | None:
        return self._scalar(GET_USE, (order_id,))

    def update_order_coupon(self, order_id: int, coupon_id: int) -> int:
        return self._change(SET_ORDER_COUPON, (coupon_id, order_id))

    def remove_use(self, order_id: int) -> int:
        return self._change(REMOVE_USE, (order_id,))
