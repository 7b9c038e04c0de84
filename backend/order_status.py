"""An order's statuses and the moves between them, stated once: the schemas validate with them, the order
service moves along them, the dashboard counts them, the admin panel offers them.

database/schema.sql's ck_orders_status holds the same six values (SQL cannot import them; tests/unit
compares the two). Kept apart from every layer so repositories can build their SQL from it too.
"""
from __future__ import annotations

PENDING = "pending"
PAID = "paid"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
REFUNDED = "refunded"

# In the order an order lives through them (the dashboard and the panel list them so).
STATUSES: tuple[str, ...] = (PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDED)

# docs/api.md's legal moves: from -> the statuses it may become. Anything else is 409 illegal_status_change;
# cancelled and refunded are final.
MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({CANCELLED}),
    PAID: frozenset({SHIPPED, CANCELLED, REFUNDED}),
    SHIPPED: frozenset({DELIVERED, REFUNDED}),
    DELIVERED: frozenset({REFUNDED}),
}

# Orders that count as sales: paid for and not given back.
SOLD: tuple[str, ...] = (PAID, SHIPPED, DELIVERED)
# Moving to one of these puts the order's units back on the shelf.
RESTOCKED = frozenset({CANCELLED})
# Moving to one of these gives back the coupon use the order took.
RELEASES_COUPON = frozenset({CANCELLED, REFUNDED})


def can_move(current: str, target: str) -> bool:
    """True when an order that is `current` may become `target` (never to itself, never from a final status)."""
    return target in MOVES.get(current, frozenset())


def sql_list(statuses: tuple[str, ...]) -> str:
    """Statuses as an SQL list literal, "('paid', 'shipped')", for a statement constant (they are ours, not input)."""
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"
