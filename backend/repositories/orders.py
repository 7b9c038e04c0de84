"""SQL for orders, their items and payments, idempotency keys, and the stock moves orders make."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.repositories import Repository, like, placeholders

# Claim an idempotency key; a concurrent repeat waits on the unique index until this transaction ends.
ADD_IDEM_KEY = """
INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at) VALUES (%s, %s, %s, %s)"""
GET_IDEM_KEY = "SELECT id, request_hash, order_id FROM idempotency_keys WHERE user_id = %s AND idem_key = %s"
SET_IDEM_ORDER = "UPDATE idempotency_keys SET order_id = %s WHERE id = %s"
# Take units only while enough are left: the row lock and the condition make overselling impossible.
TAKE_STOCK = "UPDATE products SET stock = stock - %s WHERE id = %s AND stock >= %s AND is_archived = 0"
RETURN_STOCK = "UPDATE products SET stock = stock + %s WHERE id = %s"
ADD_ORDER = """
INSERT INTO orders (user_id, status, subtotal, discount_total, shipping, total, currency, shipping_address,
                    coupon_id, coupon_code, coupon_amount, shipping_method_id, shipping_method_name, tax_rate,
                    tax_total, prices_include_tax, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"""
ADD_ITEMS = """
INSERT INTO order_items (order_id, product_id, variant_id, sku, variant_label, name, unit_price, quantity, line_total)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"""
ADD_PAYMENT = """
INSERT INTO payments (order_id, gateway, reference, brand, last4, amount, status, created_at)
VALUES (%s, %s, %s, %s, %s, %s, 'approved', %s)"""
_ORDER_COLUMNS = """
o.id, o.user_id, o.status, o.subtotal, o.discount_total, o.shipping, o.total, o.currency, o.shipping_address,
o.coupon_id, o.coupon_code, o.coupon_amount, o.shipping_method_id, o.shipping_method_name, o.tax_rate, o.tax_total,
o.prices_include_tax, o.created_at, o.updated_at, pay.brand AS payment_brand, pay.last4 AS payment_last4,
u.email AS user_email, u.username AS user_username"""
_ORDER_FROM = """
FROM orders o LEFT JOIN payments pay ON pay.order_id = o.id LEFT JOIN users u ON u.id = o.user_id"""
GET_ORDER = f"SELECT {_ORDER_COLUMNS} {_ORDER_FROM} WHERE o.id = %s"
# The order row locked for a status change, so two changes cannot both pass the legality check.
GET_STATUS_FOR_UPDATE = "SELECT id, user_id, status FROM orders WHERE id = %s FOR UPDATE"
SET_STATUS = "UPDATE orders SET status = %s, updated_at = %s WHERE id = %s"
# Items of many orders in one query (a page of orders never costs a query per order).
LIST_ITEMS = """
SELECT order_id, product_id, variant_id, sku, variant_label, name, unit_price, quantity, line_total FROM order_items
WHERE order_id IN ({ids}) ORDER BY order_id, id"""
# A user's orders, newest first (ix_orders_user).
LIST_FOR_USER = f"""
SELECT {_ORDER_COLUMNS} {_ORDER_FROM} WHERE o.user_id = %s
ORDER BY o.created_at DESC, o.id DESC LIMIT %s OFFSET %s"""
COUNT_FOR_USER = "SELECT COUNT(*) AS n FROM orders WHERE user_id = %s"
# Admin search: the WHERE clause is built from the fixed fragments below only.
LIST_ADMIN = f"SELECT {_ORDER_COLUMNS} {_ORDER_FROM} {{where}} ORDER BY o.created_at DESC, o.id DESC LIMIT %s OFFSET %s"
COUNT_ADMIN = "SELECT COUNT(*) AS n FROM orders o LEFT JOIN users u ON u.id = o.user_id {where}"
_WHERE_STATUS = "o.status = %s"
_WHERE_TEXT = "(u.email LIKE %s OR u.username LIKE %s OR u.full_name LIKE %s)"
_WHERE_TEXT_OR_ID = "(o.id = %s OR u.email LIKE %s OR u.username LIKE %s OR u.full_name LIKE %s)"


class OrderRepository(Repository):
    # ------------------------------------------------------------------ idempotency
    def add_idempotency_key(self, user_id: int, key: str, request_hash: str, now: datetime) -> int | None:
        """The new key row's id, or None when the key is already taken (after waiting for its holder)."""
        return self._unless_duplicate(lambda: self._insert(ADD_IDEM_KEY, (user_id, key, request_hash, now)))

    def get_idempotency_key(self, user_id: int, key: str) -> dict[str, Any] | None:
        return self._one(GET_IDEM_KEY, (user_id, key))

    def update_idempotency_order(self, key_id: int, order_id: int) -> int:
        return self._change(SET_IDEM_ORDER, (order_id, key_id))

    # ------------------------------------------------------------------ stock
    def update_take_stock(self, product_id: int, quantity: int) -> int:
        """1 when quantity units were taken, 0 when fewer were left (or the product is archived)."""
        return self._change(TAKE_STOCK, (quantity, product_id, quantity))

    def update_return_stock(self, product_id: int, quantity: int) -> int:
        return self._change(RETURN_STOCK, (quantity, product_id))

    # ------------------------------------------------------------------ writing orders
    def add_order(self, user_id: int, status: str, figures: dict[str, Any], currency: str,
                  shipping_address: str, now: datetime) -> int:
        """figures: the totals (subtotal, discount_total, shipping, total, tax_rate, tax_total), the coupon
        (coupon_id, coupon_code, coupon_amount), the method (shipping_method_id, shipping_method_name) and
        prices_include_tax."""
        f = figures
        return self._insert(ADD_ORDER, (
            user_id, status, f["subtotal"], f["discount_total"], f["shipping"], f["total"], currency,
            shipping_address, f["coupon_id"], f["coupon_code"], f["coupon_amount"], f["shipping_method_id"],
            f["shipping_method_name"], f["tax_rate"], f["tax_total"], f["prices_include_tax"], now, now))

    def add_items(self, order_id: int, items: list[dict[str, Any]]) -> int:
        return self._insert_many(ADD_ITEMS, [(order_id, i["product_id"], i.get("variant_id"), i.get("sku"),
                                              i.get("variant_label"), i["name"], i["unit_price"], i["quantity"],
                                              i["line_total"]) for i in items])

    def add_payment(self, order_id: int, gateway: str, reference: str, brand: str, last4: str, amount: Any,
                    now: datetime) -> int:
        return self._insert(ADD_PAYMENT, (order_id, gateway, reference, brand, last4, amount, now))

    def get_status_for_update(self, order_id: int) -> dict[str, Any] | None:
        return self._one(GET_STATUS_FOR_UPDATE, (order_id,))

    def update_status(self, order_id: int, status: str, now: datetime) -> int:
        return self._change(SET_STATUS, (status, now, order_id))

    # ------------------------------------------------------------------ reading orders
    def get_order(self, order_id: int) -> dict[str, Any] | None:
        return self._one(GET_ORDER, (order_id,))

    def list_items(self, order_ids: list[int]) -> list[dict[str, Any]]:
        if not order_ids:
            return []
        return self._all(LIST_ITEMS.format(ids=placeholders(order_ids)), tuple(order_ids))

    def list_for_user(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_FOR_USER, (user_id, limit, offset))

    def count_for_user(self, user_id: int) -> int:
        return int(self._scalar(COUNT_FOR_USER, (user_id,)))

    def list_admin(self, status: str | None, q: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        where, args = self._admin_where(status, q)
        return self._all(LIST_ADMIN.format(where=where), (*args, limit, offset))

    def count_admin(self, status: str | None, q: str | None) -> int:
        where, args = self._admin_where(status, q)
        return int(self._scalar(COUNT_ADMIN.format(where=where), tuple(args)))

    @staticmethod
    def _admin_where(status: str | None, q: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if status:
            clauses.append(_WHERE_STATUS)
            args.append(status)
        if q:
            pattern = like(q)
            if q.isascii() and q.isdigit():  # str.isdigit alone takes "\u00b2", which int() refuses
                clauses.append(_WHERE_TEXT_OR_ID)
                args += [int(q), pattern, pattern, pattern]
            else:
                clauses.append(_WHERE_TEXT)
                args += [pattern, pattern, pattern]
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), args
