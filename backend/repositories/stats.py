"""SQL for the dashboard figures."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend import order_status
from backend.repositories import Repository

# Orders that count as sales: paid and not given back.
SOLD = order_status.sql_list(order_status.SOLD)
# Revenue and order count per UTC day since a moment (days without sales are absent).
SALES_PER_DAY = f"""
SELECT DATE(created_at) AS day, COUNT(*) AS orders, SUM(total) AS revenue
FROM orders WHERE created_at >= %s AND status IN {SOLD}
GROUP BY DATE(created_at) ORDER BY day"""
# Best-selling products by units since a moment.
TOP_PRODUCTS = f"""
SELECT i.product_id, MAX(i.name) AS name, SUM(i.quantity) AS units, SUM(i.line_total) AS revenue
FROM order_items i JOIN orders o ON o.id = i.order_id
WHERE o.created_at >= %s AND o.status IN {SOLD}
GROUP BY i.product_id ORDER BY units DESC, revenue DESC, i.product_id LIMIT %s"""
# The coupons sold orders used since a moment: most used first, then by what they took off.
TOP_COUPONS = f"""
SELECT coupon_code AS code, COUNT(*) AS orders, SUM(coupon_amount) AS discount
FROM orders WHERE created_at >= %s AND status IN {SOLD} AND coupon_code IS NOT NULL
GROUP BY coupon_code ORDER BY orders DESC, discount DESC, code LIMIT %s"""
# How many orders are in each status.
ORDERS_BY_STATUS = "SELECT status, COUNT(*) AS count FROM orders GROUP BY status ORDER BY status"
# Products on sale with little stock left, the scarcest first.
LOW_STOCK = """
SELECT id, name, stock FROM products WHERE is_archived = 0 AND stock <= %s ORDER BY stock, id LIMIT %s"""


class StatsRepository(Repository):
    def list_sales_per_day(self, since: datetime) -> list[dict[str, Any]]:
        return self._all(SALES_PER_DAY, (since,))

    def list_top_products(self, since: datetime, limit: int) -> list[dict[str, Any]]:
        return self._all(TOP_PRODUCTS, (since, limit))

    def list_top_coupons(self, since: datetime, limit: int) -> list[dict[str, Any]]:
        return self._all(TOP_COUPONS, (since, limit))

    def list_orders_by_status(self) -> list[dict[str, Any]]:
        return self._all(ORDERS_BY_STATUS)

    def list_low_stock(self, threshold: int, limit: int) -> list[dict[str, Any]]:
        return self._all(LOW_STOCK, (threshold, limit))
