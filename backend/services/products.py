"""Products: the storefront listing (search, filters, sorts, paging) and detail, and their management."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from backend import errors
from backend.context import Actor
from backend.repositories.categories import CategoryRepository
from backend.repositories.products import Criteria, ProductRepository
from backend.schemas.common import paged
from backend.services import audit
from backend.services.base import Service
from backend.services.categories import category_path, subtree_ids
from backend.services.pricing import ensure_current_prices, price_products, refresh_current_prices
from backend.services.search import log_search
from backend.services.slugs import unique_slug

SORT_KEYS = ("relevance", "price_asc", "price_desc", "newest", "name")


class ProductService(Service):
    def list_products(self, page: int = 1, per_page: int = 24, *, q: str | None = None,
                      category_id: int | None = None, min_price: Decimal | None = None,
                      max_price: Decimal | None = None, in_stock: bool = False,
                      sort: str | None = None) -> dict[str, Any]:
        """A page of visible products, priced with their offers; raises ValidationFailed (sort, category)."""
        q = " ".join((q or "").split()) or None
        sort = sort or ("relevance" if q else "newest")
        if sort not in SORT_KEYS:
            raise errors.ValidationFailed(fields={"sort": [f"Must be one of: {', '.join(SORT_KEYS)}."]})
        if sort == "relevance" and not q:
            sort = "newest"  # nothing to be relevant to
        now = self.now()
        with self.db.uow() as uow:
            criteria = Criteria(q=q, min_price=min_price, max_price=max_price, in_stock=in_stock, sort=sort,
                                category_ids=subtree_ids(uow.conn, category_id) if category_id else None)
            if min_price is not None or max_price is not None or sort.startswith("price"):
                ensure_current_prices(uow.conn, now)
            repo = ProductRepository(uow.conn)
            ids, total = self._page(repo, criteria, page, per_page)
            rows = price_products(uow.conn, repo.list_by_ids(ids), now)
            if q and page == 1:  # one search, not one per page turned
                log_search(uow.conn, q, now)
            uow.commit()
        return paged([self._present(r) for r in rows], page, per_page, total)

    @staticmethod
    def _page(repo: ProductRepository, criteria: Criteria, page: int, per_page: int) -> tuple[list[int], int]:
        offset = (page - 1) * per_page
        if criteria.sort == "relevance":
            # Relevance sorts every match anyway: count them in the same statement.
            ids, total = repo.list_page_ids_counted(criteria, per_page, offset)
        else:
            # Index orders stop after one page; the count is its own (index-only) statement.
            ids, total = repo.list_page_ids(criteria, per_page, offset), None
        if total is None:
            total = repo.count_matching(criteria) if ids or page > 1 else 0
        return ids, total

    def get_product(self, product_id: int) -> dict[str, Any]:
        """One visible product with description, category_path and offer; raises NotFound."""
        with self.db.uow() as uow:
            row = ProductRepository(uow.conn).get_visible(product_id)
            if row is None:
                raise errors.NotFound("No such product.")
            price_products(uow.conn, [row], self.now())
            row["category_path"] = category_path(uow.conn, row["category_id"])
        return self._present(row)

    def get_product_admin(self, product_id: int) -> dict[str, Any]:
        """One product, archived or not, for staff views; raises NotFound."""
        with self.db.uow() as uow:
            return self._load_admin(uow, product_id)

    def create_product(self, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
        """Add a product from validated fields; raises ValidationFailed (unknown category)."""
        with self.db.uow() as uow:
            repo = ProductRepository(uow.conn)
            self._check_category(uow, values.get("category_id"))
            slug = unique_slug(values["name"], repo.list_slugs_like, 200)
            product_id = repo.add_product({**values, "slug": slug, "created_at": self.now()})
            refresh_current_prices(uow.conn, [product_id], self.now())
            audit.record(uow, actor, "product.create", "product", product_id,
                         {k: values[k] for k in ("name", "price", "stock", "category_id") if k in values})
            product = self._load_admin(uow, product_id)
            uow.commit()
        return product

    def update_product(self, actor: Actor, product_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some fields of a product; raises NotFound, ValidationFailed."""
        with self.db.uow() as uow:
            repo = ProductRepository(uow.conn)
            before = repo.get_product(product_id, lock=True)
            if before is None:
                raise errors.NotFound("No such product.")
            if "category_id" in changes:
                self._check_category(uow, changes["category_id"])
            changed = {k: v for k, v in changes.items() if before.get(k) != v}
            if changed:
                repo.update_product(product_id, changed)
                if "price" in changed or "category_id" in changed:
                    refresh_current_prices(uow.conn, [product_id], self.now())
                audit.record(uow, actor, "product.update", "product", product_id,
                             {k: v for k, v in changed.items() if k != "description"})
            product = self._load_admin(uow, product_id)
            uow.commit()
        return product

    def delete_product(self, actor: Actor, product_id: int) -> str:
        """Erase a product, or archive it when it is in orders; returns deleted/archived; raises NotFound."""
        with self.db.uow() as uow:
            repo = ProductRepository(uow.conn)
            if repo.get_product(product_id, lock=True) is None:
                raise errors.NotFound("No such product.")
            if repo.exists_in_orders(product_id):
                repo.archive_product(product_id)
                outcome = "archived"
            else:
                repo.remove_product(product_id)
                outcome = "deleted"
            audit.record(uow, actor, f"product.{'archive' if outcome == 'archived' else 'delete'}",
                         "product", product_id)
            uow.commit()
        return outcome

    @staticmethod
    def _check_category(uow, category_id: int | None) -> None:
        if category_id is not None and CategoryRepository(uow.conn).get_category(category_id) is None:
            raise errors.ValidationFailed(fields={"category_id": ["No such category."]})

    def _load_admin(self, uow, product_id: int) -> dict[str, Any]:
        row = ProductRepository(uow.conn).get_product(product_id)
        if row is None:
            raise errors.NotFound("No such product.")
        price_products(uow.conn, [row], self.now())
        row["category_path"] = category_path(uow.conn, row["category_id"])
        row["is_archived"] = bool(row["is_archived"])
        return self._present(row)

    def _present(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "currency": self.settings.store_currency, "in_stock": row["stock"] > 0}
