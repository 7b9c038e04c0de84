"""SQL for products."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository

_COLUMNS = "id, name, slug, price, stock, category_id, image_url, created_at"
# One page of visible products, newest first.
LIST_VISIBLE = f"""
SELECT {_COLUMNS} FROM products WHERE is_archived = 0
ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s"""
# How many products are visible.
COUNT_VISIBLE = "SELECT COUNT(*) AS n FROM products WHERE is_archived = 0"
# One visible product with its description.
GET_VISIBLE = f"SELECT {_COLUMNS}, description FROM products WHERE id = %s AND is_archived = 0"


class ProductRepository(Repository):
    def list_visible(self, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_VISIBLE, (limit, offset))

    def count_visible(self) -> int:
        return int(self._scalar(COUNT_VISIBLE))

    def get_visible(self, product_id: int) -> dict[str, Any] | None:
        return self._one(GET_VISIBLE, (product_id,))
