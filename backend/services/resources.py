"""The admin panel's resources: which ones a role may see and change, and their rows.

Writes never happen here: the descriptor names the public API endpoint of each write, whose own
service (catalog, orders, admin users) validates and audits it, so the panel obeys the very
rules curl users meet.
"""
from __future__ import annotations

from typing import Any

from backend import errors
from backend.context import Actor
from backend.order_status import STATUSES
from backend.permissions import ROLES, can
from backend.repositories.resources import RESOURCES, ResourceRepository
from backend.schemas.common import paged
from backend.services.base import Service, found


def _field(name: str, kind: str = "text", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, **extra}


# name -> what the panel shows and may send. "create"/"update"/"delete" are API paths ({id} filled in).
DESCRIPTORS: dict[str, dict[str, Any]] = {
    "users": {
        "label": "Users", "read": "users.read", "write": "users.write",
        "columns": ["id", "email", "username", "full_name", "role", "is_active", "blocked_until", "last_login_at"],
        "create_fields": [_field("email", "email", required=True), _field("username", required=True),
                          _field("password", "password", required=True), _field("full_name"),
                          _field("role", "select", options=list(ROLES), required=True)],
        "edit_fields": [_field("role", "select", options=list(ROLES)), _field("is_active", "checkbox"),
                        _field("blocked_until", "datetime")],
        "create": "/admin/users", "update": "PATCH /admin/users/{id}", "delete": "/admin/users/{id}",
    },
    "products": {
        "label": "Products", "read": "catalog.read_admin", "write": "catalog.write",
        "columns": ["id", "name", "price", "stock", "category", "is_archived", "created_at"],
        "create_fields": [_field("name", required=True), _field("description", "textarea"),
                          _field("price", "money", required=True), _field("stock", "integer"),
                          _field("category_id", "integer"), _field("image_url")],
        "edit_fields": [_field("name"), _field("description", "textarea"), _field("price", "money"),
                        _field("stock", "integer"), _field("category_id", "integer"), _field("image_url"),
                        _field("is_archived", "checkbox")],
        "create": "/products", "update": "PATCH /products/{id}", "delete": "/products/{id}",
    },
    "categories": {
        "label": "Categories", "read": "catalog.read_admin", "write": "catalog.write",
        "columns": ["id", "name", "slug", "parent", "path"],
        "create_fields": [_field("name", required=True), _field("parent_id", "integer")],
        "edit_fields": [_field("name"), _field("parent_id", "integer")],
        "create": "/categories", "update": "PATCH /categories/{id}", "delete": "/categories/{id}",
    },
    "offers": {
        "label": "Offers", "read": "catalog.read_admin", "write": "catalog.write",
        "columns": ["id", "name", "percent_off", "amount_off", "product", "category", "starts_at", "ends_at"],
        "create_fields": [_field("name", required=True), _field("percent_off", "money"), _field("amount_off", "money"),
                          _field("product_id", "integer"), _field("category_id", "integer"),
                          _field("starts_at", "datetime", required=True), _field("ends_at", "datetime", required=True)],
        "edit_fields": [_field("name"), _field("percent_off", "money"), _field("amount_off", "money"),
                        _field("product_id", "integer"), _field("category_id", "integer"),
                        _field("starts_at", "datetime"), _field("ends_at", "datetime")],
        "create": "/offers", "update": "PATCH /offers/{id}", "delete": "/offers/{id}",
    },
    "orders": {
        "label": "Orders", "read": "orders.read_admin", "write": "orders.write_admin",
        "columns": ["id", "customer", "status", "total", "currency", "created_at"],
        # Orders are records of payments: they are never added or deleted by hand, only moved along.
        "create_fields": [],
        "edit_fields": [_field("status", "select", options=list(STATUSES))],
        "create": None, "update": "POST /admin/orders/{id}/status", "delete": None,
    },
    # is_active is left out of the add form: a new coupon is active unless the API is told otherwise.
    "coupons": {
        "label": "Coupons", "read": "coupons.read", "write": "coupons.write",
        "columns": ["id", "code", "percent_off", "amount_off", "min_subtotal", "starts_at", "ends_at", "max_uses",
                    "max_uses_per_user", "is_active", "times_used"],
        "create_fields": [_field("code", required=True), _field("percent_off", "money"), _field("amount_off", "money"),
                          _field("min_subtotal", "money"), _field("starts_at", "datetime"),
                          _field("ends_at", "datetime"), _field("max_uses", "integer"),
                          _field("max_uses_per_user", "integer")],
        "edit_fields": [_field("code"), _field("percent_off", "money"), _field("amount_off", "money"),
                        _field("min_subtotal", "money"), _field("starts_at", "datetime"), _field("ends_at", "datetime"),
                        _field("max_uses", "integer"), _field("max_uses_per_user", "integer"),
                        _field("is_active", "checkbox")],
        "create": "/coupons", "update": "PATCH /coupons/{id}", "delete": "/coupons/{id}",
    },
    # countries: type "list", comma-separated codes in the form, a JSON list on the wire ("*" = everywhere).
    "shipping_methods": {
        "label": "Shipping methods", "read": "shipping.read", "write": "shipping.write",
        "columns": ["id", "name", "price", "free_from", "countries", "min_days", "max_days"],
        "create_fields": [_field("name", required=True), _field("price", "money", required=True),
                          _field("free_from", "money"), _field("countries", "list", required=True),
                          _field("min_days", "integer", required=True), _field("max_days", "integer", required=True)],
        "edit_fields": [_field("name"), _field("price", "money"), _field("free_from", "money"),
                        _field("countries", "list"), _field("min_days", "integer"), _field("max_days", "integer")],
        "create": "/shipping-methods", "update": "PATCH /shipping-methods/{id}", "delete": "/shipping-methods/{id}",
    },
    "tax_rates": {
        "label": "Tax rates", "read": "tax.read", "write": "tax.write",
        "columns": ["id", "country", "rate"],
        "create_fields": [_field("country", required=True), _field("rate", "money", required=True)],
        "edit_fields": [_field("country"), _field("rate", "money")],
        "create": "/tax-rates", "update": "PATCH /tax-rates/{id}", "delete": "/tax-rates/{id}",
    },
}
assert set(DESCRIPTORS) == set(RESOURCES)


def _flags(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with its checkbox columns (TINYINT in the database) as true/false, as the panel edits them."""
    d = DESCRIPTORS[name]
    flags = {f["name"] for f in d["create_fields"] + d["edit_fields"] if f["type"] == "checkbox"}
    return {k: bool(v) if k in flags and v is not None else v for k, v in row.items()}


class ResourceService(Service):
    def describe(self, actor: Actor) -> list[dict[str, Any]]:
        """The resources actor's role may read, each with can_write; raises Forbidden for non-staff."""
        visible = [self._descriptor(name, actor) for name in DESCRIPTORS if can(actor.role, DESCRIPTORS[name]["read"])]
        if not visible:
            raise errors.Forbidden()
        return visible

    def list_rows(self, actor: Actor, name: str, q: str | None, page: int, per_page: int) -> dict[str, Any]:
        """A page of a resource's rows matching q; raises NotFound (unknown resource), Forbidden."""
        self._check(actor, name)
        with self.db.uow() as uow:
            repo = ResourceRepository(uow.conn)
            rows = repo.list_rows(name, q, per_page, (page - 1) * per_page)
            total = repo.count_rows(name, q)
        return paged([_flags(name, row) for row in rows], page, per_page, total)

    def get_row(self, actor: Actor, name: str, row_id: int) -> dict[str, Any]:
        """One row of a resource; raises NotFound, Forbidden."""
        self._check(actor, name)
        with self.db.uow() as uow:
            row = found(ResourceRepository(uow.conn).get_row(name, row_id), "No such row.")
        return _flags(name, row)

    @staticmethod
    def _check(actor: Actor, name: str) -> None:
        if name not in DESCRIPTORS:
            raise errors.NotFound("No such resource.")
        if not can(actor.role, DESCRIPTORS[name]["read"]):
            raise errors.Forbidden()

    @staticmethod
    def _descriptor(name: str, actor: Actor) -> dict[str, Any]:
        d = DESCRIPTORS[name]
        return {"name": name, "label": d["label"], "columns": d["columns"],
                "create_fields": d["create_fields"], "edit_fields": d["edit_fields"],
                "create": d["create"], "update": d["update"], "delete": d["delete"],
                "can_write": can(actor.role, d["write"])}
