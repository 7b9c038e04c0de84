"""SQL for products: the storefront listing (search, filters, sorts) and product management."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.repositories import Repository, placeholders
from backend.repositories.search_index import carries

# A product as the storefront shows it: for a product with variants, price is its lowest variant price
# (variant_price) and stock already their sum; base_price is the product's own price either way.
_NAMES = ("id", "name", "slug", "stock", "category_id", "image_url", "cover_url", "created_at")


def shown_columns(alias: str) -> str:
    """The storefront columns of products under an alias (the listing reads them as pr, the detail as p)."""
    return ", ".join([*(f"{alias}.{name}" for name in _NAMES),
                      f"COALESCE({alias}.variant_price, {alias}.price) AS price", f"{alias}.price AS base_price",
                      f"({alias}.variant_price IS NOT NULL) AS has_variants"])


def listed_columns(alias: str) -> str:
    """Only what a listing item shows (schemas.products.dump_product_item), the cover already chosen.

    PyMySQL parses every column of every row in pure Python: a listing page's 24 rows cost a few
    microseconds per column, so the columns the item never shows (created_at, base_price) are left out
    and the first image's thumb wins over a typed image_url here rather than in Python (docs/api.md,
    "Product images"; cover_url is NULL or '' without images).
    """
    return ", ".join([*(f"{alias}.{name}" for name in ("id", "name", "slug", "stock", "category_id")),
                      f"COALESCE(NULLIF({alias}.cover_url, ''), {alias}.image_url) AS image_url",
                      f"COALESCE({alias}.variant_price, {alias}.price) AS price",
                      f"({alias}.variant_price IS NOT NULL) AS has_variants"])


_ADMIN_COLUMNS = f"{', '.join(_NAMES)}, price, variant_price, description, is_archived, updated_at"
# One visible product with its description, its category's path and the category tree's token (for
# category_path from the tree each worker keeps, saving a round trip).
_VISIBLE = f"""
SELECT {shown_columns('p')}, p.description, c.path AS category_ids_path,
       (SELECT token FROM category_tree_version WHERE id = 1) AS category_tree_token{{offers}}
FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.id = %s AND p.is_archived = 0"""
# For the product page: whether any offer is active at a given time for the product, on it or on its category or
# an ancestor (as LIST_ACTIVE_FOR_PRODUCTS in repositories/offers.py finds them), so a product without one
# (most) is priced without a second statement.
_HAS_OFFERS = """,
       EXISTS(SELECT 1 FROM offers o LEFT JOIN categories oc ON oc.id = o.category_id
              WHERE o.starts_at <= %s AND o.ends_at > %s
                AND (o.product_id = p.id OR (oc.id IS NOT NULL AND c.path LIKE CONCAT(oc.path, '%%')))) AS has_offers"""
GET_VISIBLE = _VISIBLE.format(offers="")
GET_VISIBLE_WITH_OFFERS = _VISIBLE.format(offers=_HAS_OFFERS)
# One product, archived or not (staff views and updates).
GET_ANY = f"SELECT {_ADMIN_COLUMNS} FROM products WHERE id = %s"
# One product locked for a change.
GET_FOR_UPDATE = f"SELECT {_ADMIN_COLUMNS} FROM products WHERE id = %s FOR UPDATE"
# Slugs equal to a base or the base with a suffix, to pick a free one.
LIST_SLUGS_LIKE = "SELECT slug FROM products WHERE slug = %s OR slug LIKE CONCAT(%s, '-%%')"
# A new product; current_price is filled by pricing right after.
ADD = """
INSERT INTO products (category_id, name, slug, description, price, stock, image_url, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"""
# The newest product's id (0 without products).
LAST_ID = "SELECT COALESCE(MAX(id), 0) AS n FROM products"
# Is the product in any order? (Then it is archived, never erased.)
IN_ORDERS = "SELECT EXISTS(SELECT 1 FROM order_items WHERE product_id = %s) AS n"
# Hide a product from the storefront.
ARCHIVE = "UPDATE products SET is_archived = 1 WHERE id = %s"
# Offers aimed only at this product go with it.
REMOVE_OFFERS = "DELETE FROM offers WHERE product_id = %s"
# Erase a product that nobody ever ordered (cart and saved lines cascade).
REMOVE = "DELETE FROM products WHERE id = %s"
# List prices of some products as the storefront shows them (pricing refreshes their current_price).
LIST_PRICES = "SELECT id, COALESCE(variant_price, price) AS price FROM products WHERE id IN ({ids})"
# Products in some categories (a subtree whose prices an offer or a move changes).
LIST_IDS_IN_CATEGORIES = "SELECT id FROM products WHERE category_id IN ({ids})"
# Visible products not priced yet (rows written by code that does not know current_price).
LIST_UNPRICED = "SELECT id FROM products WHERE is_archived = 0 AND current_price IS NULL LIMIT %s"
# Store current prices: CASE id WHEN ... THEN ... END over one batch.
UPDATE_CURRENT = "UPDATE products SET current_price = CASE id {cases} END WHERE id IN ({ids})"

# Columns a staff update may change: the whitelist UPDATE statements are built from.
UPDATABLE = ("name", "description", "price", "stock", "category_id", "image_url", "is_archived")

# The listing orders. Every one ends in id so pages never overlap, and each is an index order (see the
# products indexes in schema.sql), so LIMIT stops early; relevance (an exact name match first, then the
# search index's score) is ranked by services/search_index.py, not by SQL.
# SORT_KEYS (in the order the API documents them) is the one list the query schema and the service check.
SORTS = {
    "price_asc": "p.current_price ASC, p.id ASC",
    "price_desc": "p.current_price DESC, p.id DESC",
    "newest": "p.created_at DESC, p.id DESC",
    "name": "p.name ASC, p.id ASC",
}
SORT_KEYS = ("relevance", *SORTS)


@dataclass
class Criteria:
    """A validated listing request; only values, never SQL."""
    # A search's words (services/search_words.query_terms): products carrying any of them match; None = no search.
    terms: tuple[str, ...] | None = None
    # The words are in so many products that the statement walks its order's index and checks each product
    # for them, instead of reading every product that carries them (services/products._walks decides).
    terms_common: bool = False
    category_ids: list[int] | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str = "newest"
    # With min_price: the products priced below it (their cheapest variant) that another active variant puts
    # in range, looked up beforehand (ProductRepository.list_variant_hits); None = not looked up, the
    # statement finds them itself (see _VARIANT_HITS); () = none, so the statement is as without variants.
    variant_hits: tuple[int, ...] | None = None
    # A price range (no category, no search text) that the service counted first and found small: read it
    # by the price index and sort it. Left alone, the optimiser walks the listing index for a narrow range
    # too (it carries the price, so each entry looks cheap): 91,000 entries for 263 matches at 1,000,000
    # products, where the range reads 263. A wide range is left to the optimiser, which walks.
    few_in_price_range: bool = False


def _where(c: Criteria) -> tuple[str, list[Any]]:
    # Fixed fragments joined with AND; values travel only as parameters.
    parts: list[str] = ["p.is_archived = 0"]
    args: list[Any] = []
    if c.terms is not None:
        carrying, carrying_args = carries(c.terms, c.terms_common)
        parts.append(carrying)
        args.extend(carrying_args)
    if c.category_ids is not None:
        parts.append(f"p.category_id IN ({placeholders(c.category_ids)})")
        args.extend(c.category_ids)
    if c.min_price is not None:
        parts.append("p.current_price >= %s")
        args.append(c.min_price)
    if c.max_price is not None:
        parts.append("p.current_price <= %s")
        args.append(c.max_price)
    if c.in_stock:
        parts.append("p.stock > 0")
    return " AND ".join(parts), args


# The index a small price range is read by (Criteria.few_in_price_range).
PRICE_INDEX = "ix_products_price"

# The columns each index order sorts by, which a per-category branch hands up to the merge.
_SORT_COLUMNS = {"newest": "p.created_at", "price_asc": "p.current_price", "price_desc": "p.current_price",
                 "name": "p.name"}
# Merging per-category branches reads up to offset + limit index entries per category: worth it for the
# first pages (a department's products need no sort), not for deep ones, where one sort costs less.
MERGE_MAX_ROWS = 480
# And for subtrees of up to this many categories: one statement per branch is parsed and planned.
MERGE_MAX_CATEGORIES = 100


# A product with variants matches a price range when any of its active variants does. Its current_price is
# its cheapest variant's price, so the range on current_price (an index range) finds every product whose
# cheapest variant is in range; the only others are those whose cheapest is below min_price but with
# another variant in range, which a second branch adds. The branches are disjoint (current_price is at
# least min_price in one, below it in the other), and without min_price the first alone is exact.
# The service looks those few products up first (VARIANT_HITS: the variants' own price index, then each
# product by primary key), so the usual answer, none, leaves the page's statement exactly as it was; given
# their ids the branch reads them by primary key. Left to the statement (variant_hits None), the branch
# reads them the same way from a derived table.
VARIANT_HITS = """
SELECT DISTINCT v.product_id FROM product_variants v STRAIGHT_JOIN products p ON p.id = v.product_id
WHERE v.is_archived = 0 AND v.current_price >= %s{upper} AND p.is_archived = 0 AND p.current_price < %s
LIMIT %s"""
_VARIANT_HITS = """SELECT DISTINCT v.product_id FROM product_variants v
  WHERE v.is_archived = 0 AND v.current_price >= %s{upper}"""
# Looked-up hits beyond this many are left to the statement (a long IN list costs more than the branch).
VARIANT_HITS_MAX = 500


def _upper(c: Criteria) -> tuple[str, list[Any]]:
    return (" AND v.current_price <= %s", [c.max_price]) if c.max_price is not None else ("", [])


def _variant_from(c: Criteria, alias: str) -> tuple[str, list[Any]] | None:
    """FROM ... WHERE of the variant branch (products under alias), or None when no branch is needed."""
    if c.min_price is None or c.variant_hits == ():
        return None
    where, args = _where(replace(c, min_price=None, max_price=None))
    where = f"{where.replace('p.', f'{alias}.')} AND {alias}.current_price < %s"
    if c.variant_hits is not None:
        ids = placeholders(c.variant_hits)
        # By primary key, never by the price index's range below min_price (most of a big catalog).
        return (f"FROM products {alias} FORCE INDEX (PRIMARY) WHERE {alias}.id IN ({ids}) AND {where}",
                [*c.variant_hits, *args, c.min_price])
    upper, upper_args = _upper(c)
    # STRAIGHT_JOIN (MySQL and MariaDB alike): read the few variant hits first, then their products by key;
    # never the products below min_price by the price index (on a big catalog, most of it).
    sql = (f"FROM ({_VARIANT_HITS.format(upper=upper)}) AS hit STRAIGHT_JOIN products {alias} "
           f"ON {alias}.id = hit.product_id WHERE {where}")
    return sql, [c.min_price, *upper_args, *args, c.min_price]


def _select(c: Criteria, alias: str) -> str:
    """The id and what the page's order sorts by, under alias."""
    return f"{alias}.id, {_SORT_COLUMNS[c.sort].replace('p.', f'{alias}.')}"


def _variant_branch(c: Criteria, limit: int | None) -> tuple[str, list[Any]] | None:
    """The variant branch as a parenthesised SELECT in the page's order (cut at limit), or None."""
    found = _variant_from(c, "vp")
    if found is None:
        return None
    cut = f" ORDER BY {SORTS[c.sort].replace('p.', 'vp.')} LIMIT %s" if limit is not None else ""
    return f"(SELECT {_select(c, 'vp')} {found[0]}{cut})", [*found[1], *([limit] if limit is not None else [])]


def _merged_page_ids_sql(c: Criteria, limit: int, offset: int) -> tuple[str, list[Any]]:
    """A page of a many-category filter in index order: each category's first offset + limit ids from
    its (category_id, is_archived, sort column) index, already in order, merged and cut to the page.

    One IN list over the categories cannot be read in one index order, so it sorts every product of
    the subtree per request (a department: a tenth of the catalog); these branches read at most
    offset + limit entries each, whatever the catalog size.
    """
    branches, args = [], []
    for category_id in c.category_ids or []:
        where, branch_args = _where(replace(c, category_ids=[category_id]))
        branches.append(f"(SELECT p.id, {_SORT_COLUMNS[c.sort]} FROM products p WHERE {where} "
                        f"ORDER BY {SORTS[c.sort]} LIMIT %s)")
        args += [*branch_args, offset + limit]
    variants = _variant_branch(c, offset + limit)
    if variants is not None:
        branches.append(variants[0])
        args += variants[1]
    sql = f"SELECT p.id FROM ({' UNION ALL '.join(branches)}) AS p ORDER BY {SORTS[c.sort]} LIMIT %s OFFSET %s"
    return sql, [*args, limit, offset]


def page_ids_sql(c: Criteria, limit: int, offset: int) -> tuple[str, list[Any]]:
    """The statement choosing one page of ids in an index order (also what the EXPLAIN tests look at)."""
    if (c.category_ids and 1 < len(c.category_ids) <= MERGE_MAX_CATEGORIES and c.terms is None
            and offset + limit <= MERGE_MAX_ROWS):
        return _merged_page_ids_sql(c, limit, offset)
    where, args = _where(c)
    table = f"products p FORCE INDEX ({PRICE_INDEX})" if c.few_in_price_range else "products p"
    variants = _variant_branch(c, offset + limit)
    if variants is not None:
        # Both branches in the page's order, merged and cut to the page (see _VARIANT_HITS).
        main = f"(SELECT {_select(c, 'p')} FROM {table} WHERE {where} ORDER BY {SORTS[c.sort]} LIMIT %s)"
        sql = f"SELECT p.* FROM ({main} UNION ALL {variants[0]}) AS p ORDER BY {SORTS[c.sort]} LIMIT %s OFFSET %s"
        return sql, [*args, offset + limit, *variants[1], limit, offset]
    sql = f"SELECT p.id FROM {table} WHERE {where} ORDER BY {SORTS[c.sort]} LIMIT %s OFFSET %s"
    return sql, [*args, limit, offset]


def count_sql(c: Criteria, alias: str, limit: int | None) -> tuple[str, list[Any]]:
    """SELECT COUNT(*) AS n of the matches (both branches), reading at most limit rows when given."""
    where, args = _where(c)
    where = where.replace("p.", f"{alias}.")
    rows, rows_args = f"SELECT 1 FROM products {alias} WHERE {where}", args
    variants = _variant_from(c, f"{alias}v")
    if variants is not None:
        rows, rows_args = f"{rows} UNION ALL SELECT 1 {variants[0]}", [*args, *variants[1]]
    if limit is None:
        return f"SELECT COUNT(*) AS n FROM ({rows}) AS counted", rows_args
    # The LIMIT inside the derived table stops the index walk: cost bounded whatever the catalog size.
    return f"SELECT COUNT(*) AS n FROM ({rows} LIMIT %s) AS counted", [*rows_args, limit]


# The active offers of one page row, read in the page's own statement (a correlated subquery per row,
# 24 rows, over the few offers not yet ended): the offers on the product itself or on any category whose
# path is a prefix of the product's category path. Only what pricing needs (id, percent_off, amount_off),
# as "id percent amount" items joined by commas; services.pricing still picks the best one.
# Cast to a short VARCHAR: GROUP_CONCAT's own type is a BLOB, which forces the statement's sort into an
# on-disk Aria temporary table, and MariaDB 10.11 crashed (signal 11 in ha_maria::extra) cleaning one
# up under this statement. A VARCHAR row fits the in-memory engine.
OFFERS_TEXT_CHARS = 500
_PAGE_OFFERS = f"""(SELECT CAST(GROUP_CONCAT(o.id, ' ', COALESCE(o.percent_off, ''), ' ', COALESCE(o.amount_off, '')
    ORDER BY o.id SEPARATOR ',') AS CHAR({OFFERS_TEXT_CHARS}))
  FROM offers o LEFT JOIN categories oc ON oc.id = o.category_id
  WHERE o.starts_at <= %s AND o.ends_at > %s
    AND (o.product_id = pr.id OR (oc.id IS NOT NULL AND pc.path LIKE CONCAT(oc.path, '%%'))))"""

# Whether any offer is active at all. It names no outer column, so MariaDB runs it once per statement;
# when none is (between sales), no row runs _PAGE_OFFERS: 24 correlated runs cost about 0.5 ms of the
# server's CPU per page even over an empty offers table.
_ANY_ACTIVE_OFFER = "(SELECT 1 FROM offers WHERE starts_at <= %s AND ends_at > %s LIMIT 1)"


def parse_page_offers(text: str | None, max_len: int) -> list[dict[str, Any]] | None:
    """_PAGE_OFFERS' text as offer dicts; None when it was cut at max_len characters (look them up instead)."""
    if not text:
        return []
    if len(text) >= max_len:
        return None
    offers = []
    for item in text.split(","):
        offer_id, percent, amount = item.split(" ")
        offers.append({"id": int(offer_id), "percent_off": Decimal(percent) if percent else None,
                       "amount_off": Decimal(amount) if amount else None})
    return offers


def page_sql(c: Criteria, limit: int, offset: int, count_limit: int | None = None,
             offers_at: datetime | None = None) -> tuple[str, list[Any]]:
    """One statement for one listing page in an index order: its rows, in order, and (count_limit) how many match.

    The deferred join in one round trip: page_ids_sql walks only the index to the page (a derived
    table), then the page's rows are read by primary key. With count_limit, the number of matches is
    counted alongside, stopping at count_limit rows so its cost is bounded whatever the catalog size.
    With offers_at, each row also carries the offers active then (active_offers, see _PAGE_OFFERS): no
    second round trip.
    """
    inner, inner_args = page_ids_sql(c, limit, offset)
    counting = count_sql(c, "cp", count_limit) if count_limit is not None else None
    return _rows_sql(inner, inner_args, SORTS[c.sort].replace("p.", "pr."), offers_at, counting)


def rows_by_ids_sql(ids: list[int], offers_at: datetime | None) -> tuple[str, list[Any]]:
    """The rows of some products (a page another way chose), as page_sql reads them; ordered by the caller."""
    # Visible ones only: the search index is kept in every write's transaction, so this only guards against
    # rows archived with SQL (until `flask search-index` takes them out of the index).
    inner = f"SELECT id FROM products WHERE id IN ({placeholders(ids)}) AND is_archived = 0"
    return _rows_sql(inner, list(ids), "pr.id", offers_at)


def _rows_sql(inner: str, inner_args: list[Any], order: str, offers_at: datetime | None,
              counting: tuple[str, list[Any]] | None = None) -> tuple[str, list[Any]]:
    """The listed columns of the products whose ids inner selects, with their offers and a count when asked."""
    columns = [listed_columns("pr")]
    args: list[Any] = []  # in the order the placeholders appear: the select list's, then the FROM's
    joins = ""
    if offers_at is not None:
        columns += [f"IF({_ANY_ACTIVE_OFFER} IS NULL, NULL, {_PAGE_OFFERS}) AS active_offers",
                    f"LEAST(@@group_concat_max_len, {OFFERS_TEXT_CHARS}) AS offers_max_len"]
        joins = " LEFT JOIN categories pc ON pc.id = pr.category_id"
        args += [offers_at] * 4
    if counting is not None:
        # A scalar subquery that names no outer column runs once per statement. (As a joined derived
        # table, next to the correlated offers subquery, MariaDB ran it per page row: 8 ms against 1.)
        columns.append(f"({counting[0]}) AS total")
        args += counting[1]
    sql = (f"SELECT {', '.join(columns)} FROM ({inner}) AS page JOIN products pr ON pr.id = page.id{joins} "
           f"ORDER BY {order}")
    return sql, [*args, *inner_args]


def _listed(rows: list[dict[str, Any]], offers_at: datetime | None) -> list[dict[str, Any]]:
    """Listing rows as services use them: the count's column gone, the offers' text parsed."""
    for row in rows:
        row.pop("total", None)
        if offers_at is not None:
            row["active_offers"] = parse_page_offers(row["active_offers"], int(row.pop("offers_max_len")))
    return rows


# Products named exactly as searched that go on top of a search's pages (more is a catalog of duplicates).
NAMED_MAX = 100


class ProductRepository(Repository):
    def list_variant_hits(self, c: Criteria) -> tuple[int, ...] | None:
        """Criteria.variant_hits for c: the ids (few, usually none), or None when there are too many to list."""
        if c.min_price is None:
            return ()
        upper, upper_args = _upper(c)
        rows = self._all(VARIANT_HITS.format(upper=upper), [c.min_price, *upper_args, c.min_price,
                                                            VARIANT_HITS_MAX + 1])
        return None if len(rows) > VARIANT_HITS_MAX else tuple(sorted(row["product_id"] for row in rows))

    def list_page(self, c: Criteria, limit: int, offset: int, count_limit: int | None = None,
                  offers_at: datetime | None = None) -> tuple[list[dict[str, Any]], int | None]:
        """One page of rows and the matches counted (see page_sql; None when not counted or the page is empty).

        With offers_at each row has "active_offers": its offers active then, or None when they did not
        fit in the statement's answer (GROUP_CONCAT's limit) and must be looked up on their own.
        """
        rows = self._all(*page_sql(c, limit, offset, count_limit, offers_at))
        total = rows[0].get("total") if rows else None
        return _listed(rows, offers_at), None if total is None else int(total)

    def list_rows(self, ids: list[int], offers_at: datetime | None = None) -> list[dict[str, Any]]:
        """The rows of a page of products chosen elsewhere (a search's), in the order of ids, as list_page's."""
        if not ids:
            return []
        rows = {r["id"]: r for r in _listed(self._all(*rows_by_ids_sql(ids, offers_at)), offers_at)}
        return [rows[i] for i in ids if i in rows]

    def keep_matching(self, c: Criteria, ids: list[int]) -> set[int]:
        """Those of ids that match c (its filters: category, price range with variants, stock; visible)."""
        if not ids:
            return set()
        where, args = _where(c)
        sql, args = f"SELECT p.id FROM products p WHERE {where} AND p.id IN ({placeholders(ids)})", [*args, *ids]
        variants = _variant_from(c, "vp")
        if variants is not None:
            sql = f"{sql} UNION SELECT vp.id {variants[0]} AND vp.id IN ({placeholders(ids)})"
            args = [*args, *variants[1], *ids]
        return {row["id"] for row in self._all(sql, args)}

    def list_named(self, c: Criteria, name: str) -> list[int]:
        """The visible products named exactly name (ignoring case) that match c, newest first: a search's top."""
        where, args = _where(c)
        sql = f"SELECT p.id FROM products p WHERE {where} AND p.name = %s ORDER BY p.id DESC LIMIT %s"
        return [row["id"] for row in self._all(sql, [*args, name, NAMED_MAX])]

    def count_matching(self, c: Criteria, limit: int | None = None) -> int:
        """How many products match; with limit, counting stops there (at most `limit` rows are read)."""
        return int(self._scalar(*count_sql(c, "p", limit)))

    def get_visible(self, product_id: int, offers_at: datetime | None = None) -> dict[str, Any] | None:
        """A visible product; with offers_at, also has_offers: whether any offer is active then for it."""
        if offers_at is None:
            return self._one(GET_VISIBLE, (product_id,))
        return self._one(GET_VISIBLE_WITH_OFFERS, (offers_at, offers_at, product_id))

    def get_product(self, product_id: int, lock: bool = False) -> dict[str, Any] | None:
        return self._one(GET_FOR_UPDATE if lock else GET_ANY, (product_id,))

    def list_slugs_like(self, base: str) -> set[str]:
        return {row["slug"] for row in self._all(LIST_SLUGS_LIKE, (base, base))}

    def add_product(self, values: dict[str, Any]) -> int:
        return self._insert(ADD, (values.get("category_id"), values["name"], values["slug"],
                                  values.get("description", ""), values["price"], values.get("stock", 0),
                                  values.get("image_url", ""), values["created_at"]))

    def update_product(self, product_id: int, changes: dict[str, Any]) -> int:
        columns = [name for name in UPDATABLE if name in changes]
        if not columns:
            return 0
        # Column names come only from the UPDATABLE whitelist; values are parameters.
        assignments = ", ".join(f"{name} = %s" for name in columns)
        return self._change(f"UPDATE products SET {assignments} WHERE id = %s",
                            [*(changes[name] for name in columns), product_id])

    def last_id(self) -> int:
        """The newest product's id: the catalog's size, near enough, for choosing how a search is read."""
        return int(self._scalar(LAST_ID))

    def exists_in_orders(self, product_id: int) -> bool:
        return bool(self._scalar(IN_ORDERS, (product_id,)))

    def archive_product(self, product_id: int) -> int:
        return self._change(ARCHIVE, (product_id,))

    def remove_product(self, product_id: int) -> int:
        self._change(REMOVE_OFFERS, (product_id,))
        return self._change(REMOVE, (product_id,))

    def list_prices(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return self._all(LIST_PRICES.format(ids=placeholders(ids)), ids)

    def list_ids_in_categories(self, category_ids: list[int]) -> list[int]:
        if not category_ids:
            return []
        sql = LIST_IDS_IN_CATEGORIES.format(ids=placeholders(category_ids))
        return [row["id"] for row in self._all(sql, category_ids)]

    def list_unpriced_ids(self, limit: int) -> list[int]:
        return [row["id"] for row in self._all(LIST_UNPRICED, (limit,))]

    def update_current_prices(self, prices: list[tuple[int, Any]]) -> int:
        """Store (id, current_price) pairs in one statement."""
        if not prices:
            return 0
        cases = " ".join(["WHEN %s THEN %s"] * len(prices))
        sql = UPDATE_CURRENT.format(cases=cases, ids=placeholders(prices))
        args = [v for pair in prices for v in pair] + [pid for pid, _ in prices]
        return self._change(sql, args)
