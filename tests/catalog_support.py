"""Test data for the catalog tests: unique category trees, products and offers made through the services."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.context import SYSTEM
from tests.conftest import uid


def word() -> str:
    """A unique letters-only word, to scope searches to one test."""
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uid())


def tree(services, shape: dict[str, Any], parent_id: int | None = None) -> dict[str, int]:
    """Create nested categories {"A": {"B": {}}} with unique names; returns {short name: id}."""
    ids: dict[str, int] = {}
    for short, children in shape.items():
        row = services.categories.create_category(SYSTEM, f"{short} {uid()}", parent_id)
        ids[short] = row["id"]
        ids.update(tree(services, children, row["id"]))
    return ids


def product(services, name: str, price: str = "10.00", stock: int = 5, category_id: int | None = None,
            description: str = "") -> dict[str, Any]:
    return services.products.create_product(SYSTEM, {"name": name, "price": Decimal(price), "stock": stock,
                                                     "category_id": category_id, "description": description})


def offer(services, now: datetime, *, percent: str | None = None, amount: str | None = None,
          product_id: int | None = None, category_id: int | None = None,
          starts: timedelta = timedelta(days=-1), ends: timedelta = timedelta(days=1)) -> dict[str, Any]:
    return services.offers.create_offer(SYSTEM, {
        "name": f"offer {uid()}", "percent_off": Decimal(percent) if percent else None,
        "amount_off": Decimal(amount) if amount else None, "product_id": product_id,
        "category_id": category_id, "starts_at": now + starts, "ends_at": now + ends})


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


def variant(services, product_id: int, options: dict[str, str], stock: int = 5, price: str | None = None,
            sku: str | None = None) -> dict[str, Any]:
    """A variant of a product, with a unique SKU unless one is given."""
    return services.variants.create_variant(SYSTEM, product_id, {
        "sku": sku or f"SKU-{uid()}", "options": options, "stock": stock,
        "price": Decimal(price) if price is not None else None})
