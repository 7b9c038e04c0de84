"""Dashboard figures: sales per day, top products, orders by status, low stock, coupons used."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from backend.order_status import STATUSES
from backend.repositories.stats import StatsRepository
from backend.services.base import Service

DAYS = 30
TOP = 10
LOW_STOCK_LIMIT = 20


class StatsService(Service):
    def dashboard(self, low_stock_threshold: int = 5) -> dict[str, Any]:
        """Sales of the last DAYS days (every day present, zero when quiet) and the other dashboard lists."""
        today = self.now().date()
        first = today - timedelta(days=DAYS - 1)
        since = datetime.combine(first, time.min)
        with self.db.uow() as uow:
            repo = StatsRepository(uow.conn)
            sales = {row["day"]: row for row in repo.list_sales_per_day(since)}
            top = repo.list_top_products(since, TOP)
            by_status = {row["status"]: row["count"] for row in repo.list_orders_by_status()}
            low = repo.list_low_stock(low_stock_threshold, LOW_STOCK_LIMIT)
            top_coupons = repo.list_top_coupons(since, TOP)
        days = [first + timedelta(days=n) for n in range(DAYS)]
        return {
            "currency": self.settings.store_currency,
            "sales_per_day": [{"day": day.isoformat(), "orders": int(sales[day]["orders"]) if day in sales else 0,
                               "revenue": sales[day]["revenue"] if day in sales else Decimal("0.00")}
                              for day in days],
            "top_products": [{**row, "units": int(row["units"])} for row in top],
            "orders_by_status": [{"status": s, "count": int(by_status.get(s, 0))} for s in STATUSES],
            "low_stock": low,
            "low_stock_threshold": low_stock_threshold,
            "coupons": [{**row, "orders": int(row["orders"])} for row in top_coupons],
        }
