"""/admin/stats: sales per day for 30 days, top products, orders by status, low stock."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from backend.clock import utcnow
from tests.orders_support import add_product


def _order(db, status, total, when, lines=()):
    with db.cursor() as cur:
        cur.execute("INSERT INTO orders (status, subtotal, total, currency, shipping_address, created_at) "
                    "VALUES (%s, %s, %s, 'USD', 'x', %s)", (status, total, total, when))
        order_id = cur.lastrowid
        for product_id, quantity, price in lines:
            cur.execute("INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, line_total) "
                        "VALUES (%s, %s, 'n', %s, %s, %s)", (order_id, product_id, price, quantity,
                                                            Decimal(price) * quantity))
    return order_id


def _stats(client, make_user, query=""):
    response = client.get(f"/api/v1/admin/stats{query}", headers=make_user("operator")["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_sales_per_day_counts_paid_orders_of_the_last_30_days(client, make_user, db):
    before = {d["day"]: d for d in _stats(client, make_user)["sales_per_day"]}
    day = utcnow().replace(hour=0, minute=5) - timedelta(days=3)
    _order(db, "paid", "10.50", day)
    _order(db, "delivered", "4.50", day)
    _order(db, "cancelled", "99.00", day)   # not a sale
    _order(db, "pending", "99.00", day)     # not paid yet
    _order(db, "paid", "99.00", utcnow() - timedelta(days=31))  # out of the window
    stats = _stats(client, make_user)
    days = stats["sales_per_day"]
    assert len(days) == 30 and days[-1]["day"] == utcnow().date().isoformat()
    key = day.date().isoformat()
    now_day = {d["day"]: d for d in days}[key]
    assert Decimal(now_day["revenue"]) - Decimal(before[key]["revenue"]) == Decimal("15.00")
    assert now_day["orders"] - before[key]["orders"] == 2
    counts = {s["status"]: s["count"] for s in stats["orders_by_status"]}
    assert set(counts) == {"pending", "paid", "shipped", "delivered", "cancelled", "refunded"}
    assert counts["cancelled"] >= 1 and counts["pending"] >= 1


def test_top_products_and_low_stock(client, make_user, db):
    hit = add_product(db, stock=2)
    _order(db, "paid", "1000.00", utcnow(), [(hit, 1000, "1.00")])  # far more units than any other test sells
    stats = _stats(client, make_user, "?low_stock=3")
    top = stats["top_products"][0]
    assert (top["product_id"], top["units"], top["revenue"]) == (hit, 1000, "1000.00")
    assert stats["low_stock_threshold"] == 3
    low = stats["low_stock"]
    assert all(p["stock"] <= 3 for p in low)
    assert [p["stock"] for p in low] == sorted(p["stock"] for p in low)
    # The list holds at most 20, scarcest first; ours is there unless 20 scarcer ones fill it.
    assert any(p["id"] == hit and p["stock"] == 2 for p in low) or len(low) == 20
