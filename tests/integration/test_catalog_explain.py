"""The listing statement uses indexes: EXPLAIN never shows a full scan of products.

page_sql is what the listing runs: the index walk to the page (alias p), the page's rows by primary
key (pr) and, except for relevance, the capped count (cp).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from backend.repositories.categories import LIST_SUBTREE_IDS_OF, CategoryRepository
from backend.repositories.products import Criteria, page_sql
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
    sql, args = page_sql(criteria, 24, offset, count_limit=None if criteria.sort == "relevance" else 1001)
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
    row = _products_row(_plan(db, Criteria(category_ids=_subtree(db, ids["Top"]), sort="newest")))
    assert row["type"] in ("range", "ref") and row["key"] == "ix_products_category", row


def test_search_uses_the_fulltext_index(db, catalog):
    _, w = catalog
    row = _products_row(_plan(db, Criteria(q=w, sort="relevance")))
    assert row["type"] == "fulltext" and row["key"] == "ft_products_text", row


def test_price_filter_and_sort_use_the_price_index(db, catalog):
    row = _products_row(_plan(db, Criteria(min_price=Decimal("10"), max_price=Decimal("20"), sort="price_asc")))
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
