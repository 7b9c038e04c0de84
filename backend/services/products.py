"""Products: the storefront listing (search, filters, sorts, paging) and detail, and their management."""
from __future__ import annotations

from dataclasses import replace
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
from backend.services.search_index import count_carrying, index_products, rank, unindex_products, word_counts
from backend.services.search_words import query_terms
from backend.services.slugs import unique_slug
from backend.services.variants import load_variants, present_variant, product_options, update_variant_summary

# The most search text one listing reads: longer text is cut, not refused (any q answers 200).
Q_MAX = 200
# Listing totals are exact up to here. Beyond it `total` reports the cap (or, on a page past the cap,
# the products shown so far) with `total_capped: true`: an exact count reads every matching index
# entry, a cost that grows with the catalog, while a shopper needs only "1,000+" there.
TOTAL_CAP = 1000
# See _walks.
WALK_BIAS = 4


def _price_page(conn: Connection, rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Price a listing page from the offers its statement brought along; look them up only when it did not."""
    offers = [row.pop("active_offers", None) for row in rows]
    if any(offer is None for offer in offers):
        return price_products(conn, rows, now)
    return apply_offers(rows, {row["id"]: found for row, found in zip(rows, offers, strict=True)})


def _walks(counts: dict[str, int], end: int, last_id: int) -> bool:
    """Whether a search in an index order should walk that index, checking each product for the words, rather
    than read every product carrying them and sort those: walking reads about end * catalog / matches
    entries, reading reads the matches; the catalog's size is taken from its last id. (Measured at 100,000
    products: a word in 7,700 of them, page 1 by price, walking 1.7 ms and reading 29-46 ms; a word in one
    product, walking 473 ms and reading 0.2 ms. WALK_BIAS leans to reading: a walk's checks miss the cache.)"""
    matches = sum(counts.values())
    return matches * matches >= WALK_BIAS * end * max(last_id, 1)


def _plan_by_price_count(c: Criteria) -> bool:
    """A price range alone, ordered by date or name: how many products it holds chooses how to read it.

    (With in_stock the count would not bound the range: its out-of-stock products are read too.)
    """
    return (c.min_price is not None or c.max_price is not None) and c.category_ids is None and c.terms is None \
        and not c.in_stock and c.sort in ("newest", "name")


def _cache_key(c: Criteria) -> tuple:
    """What a listing matched depends on these, never on the order asked for."""
    return (c.terms, tuple(c.category_ids) if c.category_ids is not None else None,
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
            criteria = Criteria(terms=tuple(query_terms(q)) if q else None, min_price=min_price,
                                max_price=max_price, in_stock=in_stock, sort=sort,
                                category_ids=subtree_ids(uow.conn, category_id) if category_id else None)
            if min_price is not None or max_price is not None or sort.startswith("price"):
                ensure_current_prices(uow.conn, now)
            repo = ProductRepository(uow.conn)
            criteria.variant_hits = repo.list_variant_hits(criteria)
            if q:
                rows, total, capped = self._searched_page(uow.conn, repo, criteria, q, page, per_page, now)
            else:
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
        key = ("total", _cache_key(criteria))
        cached = self.cache.get(key)
        if _plan_by_price_count(criteria) and offset < TOTAL_CAP:
            if cached is None:  # counted first (at most TOTAL_CAP + 1 entries of the price index) ...
                cached = self._keep_total(key, repo.count_matching(criteria, limit=TOTAL_CAP + 1))
            # ... so that a small range is read and sorted, not found by walking the catalog by date.
            criteria = replace(criteria, few_in_price_range=not cached[1])
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
            cached = self._keep_total(key, counted)
        return rows, *cached

    @staticmethod
    def _searched_page(conn: Connection, repo: ProductRepository, criteria: Criteria, q: str, page: int,
                       per_page: int, now: datetime) -> tuple[list[dict[str, Any]], int, bool]:
        """A page of a search. Best match first: products named exactly q, then the search index's ranking
        (services/search_index.py), which reads only as far down each word's list as the page needs. In
        another order: the listing's statement, checking each product of the order's index walk for the
        words when they are common, or reading the words' products when they are few (see _walks)."""
        assert criteria.terms is not None
        counts = word_counts(conn, list(criteria.terms))
        if not counts:
            return [], 0, False
        filters = replace(criteria, terms=None)
        filtered = (criteria.category_ids is not None or criteria.min_price is not None
                    or criteria.max_price is not None or criteria.in_stock)
        offset = (page - 1) * per_page
        if criteria.sort == "relevance":
            named = repo.list_named(filters, q)
            keep = (lambda ids: repo.keep_matching(filters, ids)) if filtered else None
            ranked = rank(conn, counts, offset + per_page + len(named), keep)
            on_top = set(named)
            rows = repo.list_rows([*named, *(pid for pid in ranked if pid not in on_top)][offset:offset + per_page],
                                  offers_at=now)
        else:
            criteria.terms_common = _walks(counts, offset + per_page, repo.last_id())
            rows, _ = repo.list_page(criteria, per_page, offset, offers_at=now)
        if len(rows) < per_page and (rows or page == 1):
            return rows, offset + len(rows), False
        if not filtered and len(counts) == 1:
            return rows, next(iter(counts.values())), False  # the word's count is exact
        if rows and offset + len(rows) > TOTAL_CAP:
            return rows, offset + len(rows), True  # as _page: past the cap, at least this many
        counted = (repo.count_matching(criteria, TOTAL_CAP + 1) if filtered
                   else count_carrying(conn, counts, TOTAL_CAP + 1))
        return rows, min(counted, TOTAL_CAP), counted > TOTAL_CAP


    def _keep_total(self, key: tuple, counted: int) -> tuple[int, bool]:
        """The total a listing shows for counted matches (at most TOTAL_CAP, and whether more), cached."""
        total = (min(counted, TOTAL_CAP), counted > TOTAL_CAP)
        self.cache.put(key, total)
        return total

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
            index_products(uow.conn, [product_id])
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
                if changed.keys() & {"name", "description", "is_archived"}:
                    index_products(uow.conn, [product_id])
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
            unindex_products(uow.conn, [product_id])  # hidden or erased, either way no longer found
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
