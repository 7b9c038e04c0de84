"""Product listing and detail for shoppers."""
from __future__ import annotations

from typing import Any

from backend import errors
from backend.repositories.products import ProductRepository
from backend.schemas.common import paged
from backend.services.base import Service
from backend.services.pricing import price_products


class ProductService(Service):
    def list_products(self, page: int, per_page: int) -> dict[str, Any]:
        """A page of visible products, newest first, priced with their active offers."""
        with self.db.uow() as uow:
            repo = ProductRepository(uow.conn)
            rows = repo.list_visible(per_page, (page - 1) * per_page)
            total = repo.count_visible()
            price_products(uow.conn, rows, self.now())
        return paged([self._present(r) for r in rows], page, per_page, total)

    def get_product(self, product_id: int) -> dict[str, Any]:
        """One visible product; raises NotFound."""
        with self.db.uow() as uow:
            row = ProductRepository(uow.conn).get_visible(product_id)
            if row is None:
                raise errors.NotFound("No such product.")
            price_products(uow.conn, [row], self.now())
        return self._present(row)

    def _present(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "currency": self.settings.store_currency, "in_stock": row["stock"] > 0}
