"""Products: the storefront listing (search, filters, sorts, paging) and detail, and their management."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import Connection, UnitOfWork
from backend.repositories.categories import CategoryRepository
from backend.repositories.products import SORT_KEYS, Criteria, ProductRepository
from backend.schemas.common import paged
from backend.services import audit
from backend.services.base import Service, found
from backend.services.categories import CategoryService, category_path, subtree_ids
from backend.services.images import ImageService, list_product_images, product_files
from backend.services.listing_cache import ListingCache
from backend.services.pricing import apply_offers, ensure_current_prices, price_products, refresh_current_prices
from backend.services.search import log_search
from backend.services.slugs import unique_slug
from backend.services.variants import load_variants, present_variant, product_options, update_variant_summary

# How many ranked search results one FULLTEXT pass keeps for paging (20 pages of 24): reading more
# rows costs more than most shoppers ever page through.
RANKED_CAP = 480
# The most search text one listing reads: longer text is cut, not refused (any q answers 200).
Q_MAX = 200
# Listing totals are exact up to here. Beyond it `total` reports the cap (or, on a page past the cap,
# the products shown so far) with `total_capped: true`: an exact count reads every matching index
# entry, a cost that grows with the catalog, while a shopper needs only "1,000+" there.
TOTAL_CAP = 1000


def _price_page(conn: Connection, rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Price a listing page from the offers its statement brought along; look them up only when it did not."""
    offers = [row.pop("active_offers", None) for row in rows]
    if any(offer is None for offer in offers):
        return price_products(conn, rows, now)
    return apply_offers(rows, {row["id"]: found for row, found in zip(rows, offers, strict=True)})


def _cache_key(c: Criteria) -> tuple:
    """What a listing matched depends on these, never on the order asked for."""
    return (c.q, tuple(c.category_ids) if c.category_ids is not None else None,
            c.min_price, c.max_price, c.in_stock)


class ProductService(Service):
    def __init__(self, *args: Any, cache: ListingCache, images: ImageService, categories: CategoryService) -> None:
        super().__init__(*args)
        self.cache = cache
        self.images = images
        self.categories = categories

    def list_products(self, page: int = 1, per_page: int = 24, *, q: str | None = None,
                      category_id: int | None = None, min_price: Decimal | None = None,
                      max_price: Decimal | None = None, in_stock: bool = False,
                      sort: str | None = None) -> dict[str, Any]:
        """A page of visible products, priced with their offers; raises ValidationFailed (sort, category)."""
        q = " ".join((q or "")[:Q_MAX].split()) or None
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
            criteria.variant_hits = repo.list_variant_hits(criteria)
            rows, total, capped = self._page(repo, criteria, page, per_page, now)
            rows = _price_page(uow.conn, rows, now)
            if q and page == 1 and total:  # one search, not one per page turned; only searches that found products
                log_search(uow.conn, q, now)
            uow.commit()
        return {**paged([self._present(r) for r in rows], page, per_page, total), "total_capped": capped}

    def _page(self, repo: ProductRepository, criteria: Criteria, page: int, per_page: int,
              now: datetime) -> tuple[list[dict[str, Any]], int, bool]:
        """One page of rows (with their active offers), the total and whether the total stopped at TOTAL_CAP."""
        offset = (page - 1) * per_page
        if criteria.sort == "relevance":
            return *self._ranked_page(repo, criteria, offset, per_page, now), False
        key = ("total", _cache_key(criteria))
        cached = self.cache.get(key)
        # Count in the same statement, unless the cache knows or the page is past the cap anyway.
        count_limit = TOTAL_CAP + 1 if cached is None and offset < TOTAL_CAP else None
        rows, counted = repo.list_page(criteria, per_page, offset, count_limit, offers_at=now)
        # Index orders stop after one page; a short page tells the total without counting.
        if len(rows) < per_page and (rows or page == 1):
            return rows, offset + len(rows), False
        if rows and offset + len(rows) > TOTAL_CAP:
            # Past the cap already: at least this many match, and counting them would walk them all again.
            return rows, offset + len(rows), True
        if cached is None:
            if counted is None:  # an empty page beyond the end: count on its own
                counted = repo.count_matching(criteria, limit=TOTAL_CAP + 1)
            cached = (min(counted, TOTAL_CAP), counted > TOTAL_CAP)
            self.cache.put(key, cached)
        return rows, *cached

    def _ranked_page(self, repo: ProductRepository, criteria: Criteria, offset: int, per_page: int,
                     now: datetime) -> tuple[list[dict[str, Any]], int]:
        # Relevance ranks every match anyway, so the same pass counts them exactly; with the cache on,
        # the pass keeps the first RANKED_CAP ids and the following pages are sliced from them.
        if self.cache.enabled:
            ranked, total = self._ranked(repo, criteria)
            if offset + per_page <= len(ranked) or len(ranked) == total:
                return repo.list_by_ids(ranked[offset:offset + per_page]), total
        rows, counted = repo.list_page(criteria, per_page, offset, offers_at=now)
        return rows, counted if counted is not None else repo.count_matching(criteria)

    def _ranked(self, repo: ProductRepository, criteria: Criteria) -> tuple[list[int], int]:
        key = ("ranked", _cache_key(criteria))
        cached = self.cache.get(key)
        if cached is None:
            ids, total = repo.list_page_ids_counted(criteria, RANKED_CAP, 0)
            cached = (ids, total or 0)
            self.cache.put(key, cached)
        return cached

    def get_product(self, product_id: int) -> dict[str, Any]:
        """One visible product with description, category_path, offer, options and variants; raises NotFound."""
        with self.db.uow() as uow:
            now = self.now()
            row = found(ProductRepository(uow.conn).get_visible(product_id, offers_at=now), "No such product.")
            if row.pop("has_offers"):  # offers looked up only when its statement saw one, as _price_page does
                price_products(uow.conn, [row], now)
            else:
                apply_offers([row], {})
            row["category_path"] = self.categories.path_of(uow.conn, row.pop("category_tree_token"),
                                                           row.pop("category_ids_path"))
            self._add_variants(uow.conn, row)
            row["images"] = self._images(uow.conn, row)
        return self._present(row)

    @staticmethod
    def _images(conn: Connection, row: dict[str, Any]) -> list[dict[str, Any]]:
        # cover_url is the first image's thumb, kept with every image write: without it there are no images,
        # and a product without pictures costs no query.
        return list_product_images(conn, row["id"]) if row.get("cover_url") else []

    def _add_variants(self, conn: Connection, row: dict[str, Any]) -> None:
        """options and variants ([] for a product without variants: no query then)."""
        variants = load_variants(conn, [row["id"]], self.now()) if row["has_variants"] else []
        row["options"] = product_options(variants)
        row["variants"] = [present_variant(v, self.settings.store_currency) for v in variants]

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
        self.cache.clear()
        return product

    def update_product(self, actor: Actor, product_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some fields of a product; raises NotFound, ValidationFailed."""
        with self.db.uow() as uow:
            repo = ProductRepository(uow.conn)
            before = found(repo.get_product(product_id, lock=True), "No such product.")
            if "category_id" in changes:
                self._check_category(uow, changes["category_id"])
            if "stock" in changes and before["variant_price"] is not None:
                # Its stock is the sum of its variants': each is set on the variant (PATCH .../variants/{id}).
                raise errors.ValidationFailed(fields={"stock": [
                    "This product has variants: set the stock of each variant instead."]})
            changed = {k: v for k, v in changes.items() if before.get(k) != v}
            if changed:
                repo.update_product(product_id, changed)
                if "price" in changed and before["variant_price"] is not None:
                    # Variants without a price of their own follow the product's: the lowest may change.
                    update_variant_summary(uow.conn, product_id)
                if "price" in changed or "category_id" in changed:
                    refresh_current_prices(uow.conn, [product_id], self.now())
                audit.record(uow, actor, "product.update", "product", product_id,
                             {k: v for k, v in changed.items() if k != "description"})
            product = self._load_admin(uow, product_id)
            uow.commit()
        self.cache.clear()
        return product

    def delete_product(self, actor: Actor, product_id: int) -> str:
        """Erase a product, or archive it when it is in orders; returns deleted/archived; raises NotFound."""
        files: set[str] = set()
        with self.db.uow() as uow:
            repo = ProductRepository(uow.conn)
            found(repo.get_product(product_id, lock=True), "No such product.")
            if repo.exists_in_orders(product_id):
                repo.archive_product(product_id)  # an archived product keeps its images
                outcome = "archived"
            else:
                files = product_files(uow.conn, product_id)  # its image rows go with it (ON DELETE CASCADE)
                repo.remove_product(product_id)
                outcome = "deleted"
            audit.record(uow, actor, f"product.{'archive' if outcome == 'archived' else 'delete'}",
                         "product", product_id)
            uow.commit()
        self.cache.clear()
        if files:
            self.images.remove_unused_files(files)
        return outcome

    @staticmethod
    def _check_category(uow: UnitOfWork, category_id: int | None) -> None:
        if category_id is not None and CategoryRepository(uow.conn).get_category(category_id) is None:
            raise errors.ValidationFailed(fields={"category_id": ["No such category."]})

    def _load_admin(self, uow: UnitOfWork, product_id: int) -> dict[str, Any]:
        row = found(ProductRepository(uow.conn).get_product(product_id), "No such product.")
        # Shown as the storefront shows it (see shown_columns): the lowest variant price, if it has variants.
        row["base_price"], row["has_variants"] = row["price"], row["variant_price"] is not None
        row["price"] = row.pop("variant_price") if row["has_variants"] else row["price"]
        price_products(uow.conn, [row], self.now())
        row["category_path"] = category_path(uow.conn, row["category_id"])
        row["is_archived"] = bool(row["is_archived"])
        self._add_variants(uow.conn, row)
        row["images"] = self._images(uow.conn, row)
        return self._present(row)

    def _present(self, row: dict[str, Any]) -> dict[str, Any]:
        # The first uploaded image's thumb wins over a typed image_url (docs/api.md, "Product images").
        cover = row.pop("cover_url", None)
        return {**row, "image_url": cover or row["image_url"], "currency": self.settings.store_currency,
                "in_stock": row["stock"] > 0, "has_variants": bool(row.get("has_variants"))}
