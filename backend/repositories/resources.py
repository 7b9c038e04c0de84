"""SQL for the admin panel's resource lists: a fixed whitelist of tables, columns and searches.

Nothing here is taken from a request but the resource *name* (a key of RESOURCES), the search
text and the page: tables, columns and ORDER BY are constants.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.repositories import Repository, like


@dataclass(frozen=True)
class ResourceQuery:
    select: str          # the SELECT list and FROM/JOIN clause
    key: str             # the id column, qualified
    search: tuple[str, ...]  # text columns searched with LIKE
    order: str           # ORDER BY clause


RESOURCES: dict[str, ResourceQuery] = {
    "users": ResourceQuery(
        "SELECT u.id, u.email, u.username, u.full_name, u.role, u.is_active, u.blocked_until, u.last_login_at, "
        "u.created_at FROM users u",
        "u.id", ("u.email", "u.username", "u.full_name"), "u.id DESC"),
    "products": ResourceQuery(
        "SELECT p.id, p.name, p.slug, p.description, p.price, p.stock, p.category_id, c.name AS category, "
        "p.image_url, p.is_archived, p.created_at FROM products p LEFT JOIN categories c ON c.id = p.category_id",
        "p.id", ("p.name", "p.slug", "p.description"), "p.id DESC"),
    "categories": ResourceQuery(
        "SELECT c.id, c.name, c.slug, c.parent_id, pc.name AS parent, c.path, c.created_at "
        "FROM categories c LEFT JOIN categories pc ON pc.id = c.parent_id",
        "c.id", ("c.name", "c.slug"), "c.path, c.id"),
    "offers": ResourceQuery(
        "SELECT o.id, o.name, o.percent_off, o.amount_off, o.product_id, p.name AS product, o.category_id, "
        "c.name AS category, o.starts_at, o.ends_at FROM offers o "
        "LEFT JOIN products p ON p.id = o.product_id LEFT JOIN categories c ON c.id = o.category_id",
        "o.id", ("o.name",), "o.id DESC"),
    # An order's items (with variant label and sku) are shown under its view from GET /admin/orders/{id}.
    "orders": ResourceQuery(
        "SELECT o.id, o.user_id, u.email AS customer, o.status, o.subtotal, o.discount_total, o.shipping, o.total, "
        "o.currency, o.shipping_address, o.created_at FROM orders o LEFT JOIN users u ON u.id = o.user_id",
        "o.id", ("o.status", "o.shipping_address", "u.email"), "o.id DESC"),
    "coupons": ResourceQuery(
        "SELECT c.id, c.code, c.percent_off, c.amount_off, c.min_subtotal, c.starts_at, c.ends_at, c.max_uses, "
        "c.max_uses_per_user, c.is_active, c.times_used, c.created_at, c.updated_at FROM coupons c",
        "c.id", ("c.code",), "c.id DESC"),
    # countries as the form edits them, "FR, GB" ("*" = everywhere); the API answers them as a list.
    "shipping_methods": ResourceQuery(
        "SELECT m.id, m.name, m.price, m.free_from, "
        "(SELECT GROUP_CONCAT(mc.country ORDER BY mc.country SEPARATOR ', ') FROM shipping_method_countries mc "
        "WHERE mc.method_id = m.id) AS countries, m.min_days, m.max_days, m.created_at, m.updated_at "
        "FROM shipping_methods m",
        "m.id", ("m.name",), "m.price, m.id"),
    "tax_rates": ResourceQuery(
        "SELECT t.id, t.country, t.rate, t.created_at, t.updated_at FROM tax_rates t",
        "t.id", ("t.country",), "t.country"),
}


class ResourceRepository(Repository):
    @staticmethod
    def _where(query: ResourceQuery, q: str | None) -> tuple[str, list[Any]]:
        if not q:
            return "", []
        return " WHERE (" + " OR ".join(f"{col} LIKE %s" for col in query.search) + ")", [like(q)] * len(query.search)

    def list_rows(self, name: str, q: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        query = RESOURCES[name]
        where, args = self._where(query, q)
        return self._all(f"{query.select}{where} ORDER BY {query.order} LIMIT %s OFFSET %s", (*args, limit, offset))

    def count_rows(self, name: str, q: str | None) -> int:
        query = RESOURCES[name]
        where, args = self._where(query, q)
        return int(self._scalar(f"SELECT COUNT(*) FROM ({query.select}{where}) AS matched", args))

    def get_row(self, name: str, row_id: int) -> dict[str, Any] | None:
        query = RESOURCES[name]
        return self._one(f"{query.select} WHERE {query.key} = %s", (row_id,))
