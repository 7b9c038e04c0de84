"""The listing statement uses indexes: EXPLAIN never shows a full scan of products.

page_sql is what the listing runs: the index walk to the page (alias p), the page's rows by primary
key (pr) and the capped count (cp). A search in relevance order reads the search index's lists instead.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from backend.clock import utcnow
from backend.repositories import products
from backend.repositories.categories import LIST_SUBTREE_IDS_OF, CategoryRepository
from backend.repositories.products import Criteria, page_sql
from backend.repositories.search_index import LIST_WEIGHTS, SearchIndexRepository
from backend.services import products as product_service
from backend.services.search_words import query_terms
from tests.catalog_support import product, tree, word


@pytest.fixture(scope="module")
def catalog(app):
    services = app.extensions["shopwright"]
    # Enough rows that the optimiser prefers an index over scanning the table.
    services.seed.seed_catalog(600)
    ids = tree(services, {"Top": {"Mid": {}}})
    w = word()
    product(services, f"{w} Explained", "15.00", 2, ids["Mid"])
    return ids, w


def _plan(db, criteria: Criteria, offset: int = 0) -> list[dict]:
    sql, args = page_sql(criteria, 24, offset, count_limit=1001)
    with db.cursor() as cur:
        cur.execute("ANALYZE TABLE products")
        cur.fetchall()
        cur.execute("EXPLAIN " + sql, args)
        return list(cur.fetchall())


def _products_row(plan: list[dict]) -> dict:
    """The index walk's row; every other read of products is by key or by index, never a full scan."""
    others = [row for row in plan if row["table"] in ("pr", "cp")]
    assert all(row["type"] != "ALL" and row["key"] for row in others), plan
    assert any(row["table"] == "pr" and row["key"] == "PRIMARY" for row in others), plan
    rows = [row for row in plan if row["table"] == "p"]
    assert len(rows) == 1, plan
    return rows[0]


def _subtree(db, category_id: int) -> list[int]:
    with db.uow() as uow:
        repo = CategoryRepository(uow.conn)
        return repo.list_subtree_ids(repo.get_category(category_id)["path"])


def test_plain_listing_walks_the_listing_index(db, catalog):
    row = _products_row(_plan(db, Criteria(sort="newest"), offset=480))
    assert row["type"] != "ALL" and row["key"] == "ix_products_listing", row
    assert "filesort" not in (row["Extra"] or "").lower()


def test_category_filter_uses_the_category_index(db, catalog):
    ids, _ = catalog
    row = _products_row(_plan(db, Criteria(category_ids=[ids["Mid"]], sort="newest")))
    assert row["type"] in ("range", "ref") and row["key"] == "ix_products_category", row
    assert "filesort" not in (row["Extra"] or "").lower()


@pytest.mark.parametrize("sort, index", [("newest", "ix_products_category"), ("name", "ix_products_category_name"),
                                         ("price_asc", "ix_products_category_price"),
                                         ("price_desc", "ix_products_category_price")])
def test_subtree_pages_walk_each_categorys_index_in_order(db, catalog, sort, index):
    # One branch per category of the subtree, each an index walk in the page's order, stopping at its LIMIT.
    ids, _ = catalog
    plan = _plan(db, Criteria(category_ids=_subtree(db, ids["Top"]), sort=sort), offset=24)
    branches = [row for row in plan if row["table"] == "p"]
    assert len(branches) == 2, plan
    assert all(row["type"] == "ref" and row["key"] == index for row in branches), plan
    assert not any("filesort" in (row["Extra"] or "").lower() for row in branches), plan


def test_deep_subtree_pages_read_one_category_range(db, catalog, monkeypatch):
    ids, _ = catalog
    row = _products_row(_plan(db, Criteria(category_ids=_subtree(db, ids["Top"]), sort="newest"),
                              offset=products.MERGE_MAX_ROWS))
    assert row["type"] == "range" and row["key"] == "ix_products_category", row
    monkeypatch.setattr(products, "MERGE_MAX_CATEGORIES", 1)  # and so are subtrees of too many categories
    row = _products_row(_plan(db, Criteria(category_ids=_subtree(db, ids["Top"]), sort="newest")))
    assert row["type"] == "range" and row["key"] == "ix_products_category", row


def _page_ids(db, criteria: Criteria, offset: int) -> list[int]:
    with db.cursor() as cur:
        cur.execute(*page_sql(criteria, 24, offset, count_limit=1001))
        return [row["id"] for row in cur.fetchall()]


def test_merged_subtree_pages_equal_one_sorted_range(db, catalog, monkeypatch):
    with db.cursor() as cur:
        cur.execute("SELECT c.id FROM categories c JOIN categories d ON d.path LIKE CONCAT(c.path, '_%%') "
                    "JOIN products p ON p.category_id = d.id GROUP BY c.id ORDER BY COUNT(*) DESC LIMIT 1")
        department = cur.fetchone()["id"]
    subtree = _subtree(db, department)
    assert len(subtree) > 2
    cases = [Criteria(category_ids=subtree, sort=sort, in_stock=in_stock, min_price=low)
             for sort in ("newest", "name", "price_asc", "price_desc") for in_stock in (False, True)
             for low in (None, Decimal("20"))]
    merged = [_page_ids(db, c, offset) for c in cases for offset in (0, 24, 72)]
    monkeypatch.setattr(products, "MERGE_MAX_ROWS", 0)  # every page as one sorted range
    assert merged == [_page_ids(db, c, offset) for c in cases for offset in (0, 24, 72)]
    assert sum(map(len, merged)) > 24 * 20  # pages with rows were compared, not only empty ones


def _explain(db, sql: str, args) -> list[dict]:
    with db.cursor() as cur:
        cur.execute("ANALYZE TABLE product_terms")
        cur.fetchall()
        cur.execute("EXPLAIN " + sql, args)
        return list(cur.fetchall())


def test_a_search_reads_each_words_list_best_first_by_its_index(db, catalog, monkeypatch):
    # Relevance: each word's first entries in index order (no sort), then the other words' weights by key.
    statements = []
    with db.uow() as uow:
        repo = SearchIndexRepository(uow.conn)
        monkeypatch.setattr(repo, "_all", lambda sql, args: statements.append((sql, args)) or [])
        repo.list_best({"smart": 64, "oak": 64})
    plan = _explain(db, *statements[0])
    reads = [row for row in plan if row["table"] == "product_terms"]
    assert len(reads) == 2, plan
    assert all(row["type"] == "ref" and row["key"] == "ix_product_terms_best" for row in reads), plan
    assert not any("filesort" in (row["Extra"] or "").lower() for row in plan), plan
    plan = _explain(db, LIST_WEIGHTS.format(ids="%s, %s", terms="%s, %s"), [1, 2, "smart", "oak"])
    assert plan[0]["type"] == "range" and plan[0]["key"] == "PRIMARY", plan


@pytest.mark.parametrize("sort", ["newest", "price_asc", "name"])
def test_a_search_in_another_order_reads_the_index_by_key(db, catalog, sort):
    _, w = catalog
    plan = _plan(db, Criteria(terms=tuple(query_terms(w)), sort=sort))
    assert all(row["type"] != "ALL" for row in plan if not row["table"].startswith("<")), plan  # tables, not derived
    words = [row for row in plan if row["table"] == "t"]
    assert words and all(row["key"] in ("PRIMARY", "ix_product_terms_best") for row in words), plan


def test_price_filter_and_sort_use_the_price_index(db, catalog):
    row = _products_row(_plan(db, Criteria(min_price=Decimal("10"), max_price=Decimal("20"), sort="price_asc")))
    assert row["type"] == "range" and row["key"] == "ix_products_price", row


def test_price_filter_by_date_tests_the_price_in_the_listing_index(db, catalog):
    # Newest first, a wide price range walks ix_products_listing in its order and tests each entry's price
    # in the index itself ("Using index": no row read per entry, no sort), so a page costs about 24 entries
    # per share of the catalog in the range, whatever its size; the count still reads the price range.
    plan = _plan(db, Criteria(min_price=Decimal("10"), max_price=Decimal("500"), sort="newest"))
    row = _products_row(plan)
    extra = (row["Extra"] or "").split("; ")
    assert row["key"] == "ix_products_listing" and "Using index" in extra and "Using filesort" not in extra, row
    counting = [row for row in plan if row["table"] == "cp"]
    assert len(counting) == 1 and counting[0]["key"] == "ix_products_price", plan


@pytest.mark.parametrize("sort", ["newest", "name"])
def test_small_price_range_is_read_by_the_price_index_and_sorted(db, catalog, sort):
    # Counted first and found small (Criteria.few_in_price_range), the range is read and sorted: no walk of
    # the catalog's order for a few matches. Same pages either way.
    small = Criteria(min_price=Decimal("100"), max_price=Decimal("300"), sort=sort, few_in_price_range=True)
    row = _products_row(_plan(db, small))
    assert row["type"] == "range" and row["key"] == products.PRICE_INDEX, row
    pages = [_page_ids(db, small, offset) for offset in (0, 24)]
    assert pages == [_page_ids(db, replace(small, few_in_price_range=False), offset) for offset in (0, 24)]
    assert len(pages[0]) == 24


@pytest.mark.parametrize("low, high, few", [("100", "140", True), ("10", "1500", False), ("5000", "5040", True)])
def test_the_service_counts_a_price_range_to_choose_its_plan(app, catalog, monkeypatch, low, high, few):
    # At most TOTAL_CAP matches: read by the price index; more: left to the optimiser (it walks).
    seen = []
    list_page = products.ProductRepository.list_page

    def recording(self, c, *args, **kwargs):
        seen.append(c.few_in_price_range)
        return list_page(self, c, *args, **kwargs)

    monkeypatch.setattr(products.ProductRepository, "list_page", recording)
    monkeypatch.setattr(product_service, "TOTAL_CAP", 150)  # the module's 600 products: 40 wide is few
    service = app.extensions["shopwright"].products
    answer = service.list_products(min_price=Decimal(low), max_price=Decimal(high))
    assert seen == [few]
    assert answer["total_capped"] is not few
    service.list_products(min_price=Decimal(low), max_price=Decimal(high), sort="price_asc")
    service.list_products(min_price=Decimal(low), max_price=Decimal(high), in_stock=True)
    # A price order reads the price index anyway; in stock, the count would not bound the range read.
    assert seen == [few, False, False]


def test_price_filter_matching_nothing_reads_the_price_range(db, catalog):
    # A range the price index says is (nearly) empty is read from that index, never by walking the catalog.
    row = _products_row(_plan(db, Criteria(min_price=Decimal("5000"), max_price=Decimal("5040"), sort="newest")))
    assert row["type"] == "range" and row["key"] == "ix_products_price", row


def test_name_sort_uses_the_name_index(db, catalog):
    row = _products_row(_plan(db, Criteria(sort="name")))
    assert row["type"] != "ALL" and row["key"] == "ix_products_name", row


def test_subtree_of_a_category_id_is_an_index_range(db, catalog):
    ids, _ = catalog
    with db.cursor() as cur:
        cur.execute("EXPLAIN " + LIST_SUBTREE_IDS_OF, (ids["Top"],))
        plan = list(cur.fetchall())
    outer = [row for row in plan if row["table"] == "categories"]
    assert len(outer) == 1 and outer[0]["type"] == "range" and outer[0]["key"] == "ix_categories_path", plan
    assert sorted(_subtree(db, ids["Top"])) == sorted([ids["Top"], ids["Mid"]])
    with db.uow() as uow:
        assert sorted(CategoryRepository(uow.conn).list_subtree_ids_of(ids["Top"])) == [ids["Top"], ids["Mid"]]
        assert CategoryRepository(uow.conn).list_subtree_ids_of(2_000_000_000) == []


@pytest.fixture(scope="module")
def variant_rows(app, catalog):
    """Variants on 150 of the catalog's products (3 each, 1.00 to 99.00), enough for an index to pay."""
    db = app.extensions["shopwright"].db
    with db.cursor() as cur:
        cur.execute("SELECT id FROM products WHERE is_archived = 0 ORDER BY id LIMIT 150")
        ids = [row["id"] for row in cur.fetchall()]
        rows = [(pid, f"EXPLAIN-{pid}-{n}", Decimal(1 + (pid * 7 + n * 31) % 99), 2) for pid in ids for n in range(3)]
        cur.executemany("INSERT INTO product_variants (product_id, sku, price, current_price, stock) "
                        "VALUES (%s, %s, %s, %s, %s)", [(p, s, price, price, st) for p, s, price, st in rows])
        cur.execute("ANALYZE TABLE product_variants")
        cur.fetchall()
    return ids


def test_variant_price_filter_reads_the_variant_price_index(db, catalog, variant_rows):
    # min_price adds the branch of products whose cheapest variant is below it but another one is in range:
    # an index range over variants' prices, then each product by primary key (in the page and in the count);
    # the main branch stays the range it was.
    for sort, searched in (("price_asc", False), ("newest", False), ("newest", True)):
        criteria = Criteria(terms=tuple(query_terms(catalog[1])) if searched else None, min_price=Decimal("40"),
                            max_price=Decimal("45"), sort=sort)
        plan = _plan(db, criteria)
        variants = [row for row in plan if row["table"] == "v"]
        assert len(variants) == 2, plan  # the page's branch and the count's
        assert all(row["type"] == "range" and row["key"] == "ix_variants_price" for row in variants), plan
        by_key = [row for row in plan if row["table"] in ("vp", "cpv")]
        assert len(by_key) == len(variants), plan
        assert all((row["type"], row["key"]) == ("eq_ref", "PRIMARY") for row in by_key), plan
        # (A search's words are read by the search index's keys, in both branches alike.)
        assert all(row["key"] in ("PRIMARY", "ix_product_terms_best") for row in plan if row["table"] == "t"), plan
        assert all(row["type"] != "ALL" for row in plan if row["table"] in ("p", "pr", "cp")), plan
    row = _products_row(_plan(db, Criteria(min_price=Decimal("40"), max_price=Decimal("45"), sort="price_asc")))
    assert row["type"] == "range" and row["key"] == "ix_products_price", row


def test_variant_hits_are_looked_up_by_index_and_read_by_key(db, catalog, variant_rows):
    # What the service runs: the hits first (variants' price index, then each product by key) ...
    criteria = Criteria(min_price=Decimal("40"), max_price=Decimal("45"), sort="price_asc")
    with db.cursor() as cur:
        cur.execute("EXPLAIN " + products.VARIANT_HITS.format(upper=" AND v.current_price <= %s"),
                    (criteria.min_price, criteria.max_price, criteria.min_price, 501))
        plan = list(cur.fetchall())
    assert [(row["table"], row["type"], row["key"]) for row in plan] == [
        ("v", "range", "ix_variants_price"), ("p", "eq_ref", "PRIMARY")], plan
    with db.uow() as uow:
        hits = products.ProductRepository(uow.conn).list_variant_hits(criteria)
    assert hits  # some products of variant_rows have a variant in 40-45 and a cheaper one
    # ... then the page reads them by primary key; with none, the statement is the one without variants.
    plan = _plan(db, replace(criteria, variant_hits=hits))
    by_key = [row for row in plan if row["table"] in ("vp", "cpv")]
    assert len(by_key) == 2 and all(row["type"] in ("const", "range") and row["key"] == "PRIMARY"
                                    for row in by_key), plan
    assert not [row for row in plan if row["table"] == "v"], plan
    sql, _ = page_sql(replace(criteria, variant_hits=()), 24, 0, count_limit=1001)
    assert "UNION" not in sql and "product_variants" not in sql


@pytest.mark.parametrize("sort, searched", [("newest", False), ("price_asc", False), ("name", False),
                                            ("newest", True)])
def test_page_statement_needs_no_on_disk_temporary_table(db, catalog, sort, searched):
    # A BLOB column in the page's sort spills it to an Aria table; MariaDB 10.11 crashed cleaning one up.
    ids, w = catalog
    criteria = Criteria(terms=tuple(query_terms(w)) if searched else None, category_ids=[ids["Mid"]], sort=sort)
    sql, args = page_sql(criteria, 24, 0, count_limit=1001, offers_at=utcnow())
    with db.cursor() as cur:
        cur.execute("FLUSH STATUS")
        cur.execute(sql, args)
        assert len(cur.fetchall()) == 1
        cur.execute("SHOW SESSION STATUS LIKE 'Created_tmp_disk_tables'")
        assert cur.fetchone()["Value"] == "0"


@pytest.mark.parametrize("hits", ["statement", "looked up"])
@pytest.mark.parametrize("sort, searched", [("newest", False), ("price_asc", False), ("newest", True)])
def test_variant_branch_needs_no_on_disk_temporary_table(db, catalog, variant_rows, hits, sort, searched):
    # The price filter's second branch (a UNION of id and sort columns) stays in memory too.
    criteria = Criteria(terms=tuple(query_terms(catalog[1])) if searched else None, min_price=Decimal("40"),
                        max_price=Decimal("45"), sort=sort)
    if hits == "looked up":
        with db.uow() as uow:
            criteria = replace(criteria, variant_hits=products.ProductRepository(uow.conn).list_variant_hits(criteria))
    sql, args = page_sql(criteria, 24, 0, count_limit=1001, offers_at=utcnow())
    with db.cursor() as cur:
        cur.execute("FLUSH STATUS")
        cur.execute(sql, args)
        cur.fetchall()
        cur.execute("SHOW SESSION STATUS LIKE 'Created_tmp_disk_tables'")
        assert cur.fetchone()["Value"] == "0"
