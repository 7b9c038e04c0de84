"""GET /products paging and money shape (the catalog issue adds search and filters)."""
from __future__ import annotations

import re


def test_products_page_shape(client, services):
    services.seed.seed_catalog(30)
    body = client.get("/api/v1/products?page=1&per_page=5").get_json()
    assert body["page"] == 1 and body["per_page"] == 5 and len(body["items"]) == 5
    assert body["pages"] == -(-body["total"] // 5)
    item = body["items"][0]
    assert set(item) >= {"id", "name", "slug", "price", "sale_price", "currency", "stock", "in_stock",
                         "category_id", "image_url"}
    assert re.fullmatch(r"\d+\.\d{2}", item["price"]) and item["currency"] == "USD"
    assert item["in_stock"] == (item["stock"] > 0)
