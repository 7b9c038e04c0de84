"""SQL for the search index: each visible product's words with their weights (product_terms, read one word's
products best first) and how many products carry each word (search_terms).

The index holds visible products only, so a word's list needs no join to hide archived ones, and a
product's rows go with it (ON DELETE CASCADE).
"""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository, placeholders

# Products as the index reads them (visible or not: an archived product's words are taken out).
LIST_TEXTS = "SELECT id, name, description, is_archived FROM products WHERE id IN ({ids})"
# A batch of visible products that have no words in the index yet (rows written before it, or by SQL), in
# id order by the primary key (left to choose, MariaDB walked ix_products_listing and sorted: 0.3 s a batch).
LIST_UNINDEXED = """
SELECT p.id FROM products p FORCE INDEX (PRIMARY)
WHERE p.id > %s AND p.is_archived = 0
  AND NOT EXISTS (SELECT 1 FROM product_terms t WHERE t.product_id = p.id)
ORDER BY p.id LIMIT %s"""
# A batch of products, archived or not, in id order (flask search-index reads them all).
LIST_PRODUCT_IDS = "SELECT id FROM products WHERE id > %s ORDER BY id LIMIT %s"
# The newest product the index holds words of (index_missing goes on from there).
NEWEST_INDEXED = "SELECT COALESCE(MAX(product_id), 0) AS n FROM product_terms"
# The words the index holds for some products.
LIST_PRODUCT_TERMS = "SELECT product_id, term, weight FROM product_terms WHERE product_id IN ({ids})"
# Some words of one product, by their exact keys (row locks only).
REMOVE_PRODUCT_TERMS = "DELETE FROM product_terms WHERE product_id = %s AND term IN ({terms})"
# A product's word with its weight, new or changed.
PUT_PRODUCT_TERMS = """
INSERT INTO product_terms (term, product_id, weight) VALUES (%s, %s, %s)
ON DUPLICATE KEY UPDATE weight = VALUES(weight)"""
# Change how many products carry words, in term order (one lock order for concurrent product writes).
# (VALUES() reads the row being inserted: MariaDB's spelling, which MySQL 8 still takes.)
ADD_TO_COUNTS = """
INSERT INTO search_terms (term, products) VALUES {rows}
ON DUPLICATE KEY UPDATE products = products + VALUES(products)"""
# How many products carry each of some words (a word no product has is absent).
LIST_COUNTS = "SELECT term, products FROM search_terms WHERE term IN ({terms}) AND products > 0"
# One word's list: its products best first (the order every page of a search uses, and the ranking's bounds
# rely on: weight, then newest id), cut at a LIMIT: an index range read that stops there, whatever the
# catalog's size. {columns}: what each entry gives; {cut}: the LIMIT (and OFFSET).
_LIST = "(SELECT {columns} FROM product_terms WHERE term = %s ORDER BY weight DESC, product_id DESC {cut})"
# The first `limit` entries of a word's list.
_BEST = _LIST.format(columns="term, product_id, weight", cut="LIMIT %s")
# Each product some words' first entries brought (_BEST_SCORED for each word: {lists}), with its score over
# the entries read and the most it could score ({room}: for each list that goes on and did not bring it, the
# most that list could still hold for it); {floor}: only those that could be among the best N (see
# list_bounded), so a round answers a few dozen rows, not thousands.
LIST_BOUNDED = """
SELECT product_id, score, upper FROM (
  SELECT product_id, CAST(score AS SIGNED) AS score, CAST(score{room} AS SIGNED) AS upper{floor_column}
  FROM (SELECT product_id, SUM(score) AS score, SUM(bit) AS seen FROM ({lists}) AS best GROUP BY product_id) AS g
) AS s{floor}"""
# The first `limit` entries of a word's list, each as its score (weight times the word's units) and the
# word's bit: the union carries whole numbers only, not the word to be matched again per row.
_BEST_SCORED = _LIST.format(columns="product_id, weight * %s AS score, %s AS bit", cut="LIMIT %s")
# A list that goes on and did not bring the product (its bit not in seen) holds it at most at its last weight
# read, and one less if the product is newer than that entry (equal weights list the newer first).
_ROOM = " + IF(seen & %s, 0, %s * (%s - (product_id > %s)))"
# The best-th product so far, its score and id (NULL with fewer products): a window over the statement's own
# rows, read once. A product whose most is below it, or equal but older, cannot pass it.
_RANKED = "OVER (ORDER BY score DESC, product_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
_FLOOR_COLUMN = f", NTH_VALUE(score, %s) {_RANKED} AS floor, NTH_VALUE(product_id, %s) {_RANKED} AS floor_id"
_FLOOR = " WHERE floor IS NULL OR upper > floor OR (upper = floor AND product_id >= floor_id)"
# The weights of some words in some products.
LIST_WEIGHTS = "SELECT product_id, term, weight FROM product_terms WHERE product_id IN ({ids}) AND term IN ({terms})"
# The entry at a position of a word's list (none when the list is shorter).
_AT = _LIST.format(columns="term, weight, product_id", cut="LIMIT 1 OFFSET %s")
# How many distinct products carry any of the words, counting at most `limit` of them.
COUNT_CARRYING = """
SELECT COUNT(*) AS n FROM (SELECT DISTINCT product_id FROM product_terms WHERE term IN ({terms}) LIMIT %s) AS c"""
# Every word's count again from the index (flask search-index).
CLEAR_COUNTS = "DELETE FROM search_terms"
RECOUNT = "INSERT INTO search_terms (term, products) SELECT term, COUNT(*) FROM product_terms GROUP BY term"
# The products carrying any of some words, as a condition on products p (the listing's other orders): as a
# semi-join the optimiser reads the words' products (few) ...
CARRIES = "p.id IN (SELECT t.product_id FROM product_terms t WHERE t.term IN ({terms}))"
# ... and as a per-row check, which no optimiser turns into a semi-join, the statement walks its own index
# order and checks each product by primary key, stopping at the page (common words: the semi-join read
# 200,000 entries to sort them for "easy care" by price, 220 ms, against 2 ms).
CARRIES_EACH = ("(SELECT 1 FROM product_terms t WHERE t.product_id = p.id AND t.term IN ({terms}) LIMIT 1)"
                " IS NOT NULL")


class SearchIndexRepository(Repository):
    def list_texts(self, ids: list[int]) -> list[dict[str, Any]]:
        return self._all(LIST_TEXTS.format(ids=placeholders(ids)), ids) if ids else []

    def list_unindexed(self, after_id: int, limit: int) -> list[int]:
        return [row["id"] for row in self._all(LIST_UNINDEXED, (after_id, limit))]

    def newest_indexed_id(self) -> int:
        return int(self._scalar(NEWEST_INDEXED))

    def list_product_ids(self, after_id: int, limit: int) -> list[int]:
        return [row["id"] for row in self._all(LIST_PRODUCT_IDS, (after_id, limit))]

    def list_product_terms(self, ids: list[int]) -> list[dict[str, Any]]:
        return self._all(LIST_PRODUCT_TERMS.format(ids=placeholders(ids)), ids) if ids else []

    def remove_product_terms(self, product_id: int, terms: list[str]) -> int:
        return self._change(REMOVE_PRODUCT_TERMS.format(terms=placeholders(terms)), [product_id, *terms])

    def put_product_terms(self, rows: list[tuple[str, int, int]]) -> int:
        """(term, product_id, weight) rows, added or their weight changed."""
        return self._insert_many(PUT_PRODUCT_TERMS, rows) if rows else 0

    def add_to_counts(self, deltas: dict[str, int]) -> None:
        """Add each delta (negative to take away) to its word's product count."""
        if not deltas:
            return
        terms = sorted(deltas)
        sql = ADD_TO_COUNTS.format(rows=", ".join(["(%s, %s)"] * len(terms)))
        self._change(sql, [v for term in terms for v in (term, deltas[term])])

    def list_counts(self, terms: list[str]) -> dict[str, int]:
        if not terms:
            return {}
        rows = self._all(LIST_COUNTS.format(terms=placeholders(terms)), terms)
        return {row["term"]: int(row["products"]) for row in rows}

    def list_best(self, limits: dict[str, int]) -> list[dict[str, Any]]:
        """Each word's first `limit` products, best first, in one round trip: {term, product_id, weight} rows."""
        if not limits:
            return []
        return self._all(" UNION ALL ".join([_BEST] * len(limits)),
                         [v for term, limit in limits.items() for v in (term, limit)])

    def list_bounded(self, limits: dict[str, int], units: dict[str, int], ends: dict[str, tuple[int, int]],
                     best: int | None = None) -> dict[int, tuple[int, int]]:
        """{product_id: (score so far, the most it can score)} of the products each word's first `limit` entries
        brought, given where the lists that go on stopped (ends: {term: (weight, product_id)}); with best, only
        those whose most reaches the best-th score so far (the others cannot make a page that long)."""
        terms = list(limits)
        bits = {term: 1 << n for n, term in enumerate(terms)}
        sql = LIST_BOUNDED.format(lists=" UNION ALL ".join([_BEST_SCORED] * len(terms)),
                                  room="".join([_ROOM] * len(ends)), floor="" if best is None else _FLOOR,
                                  floor_column="" if best is None else _FLOOR_COLUMN)
        args = [*(v for term, (weight, last_id) in ends.items() for v in (bits[term], units[term], weight, last_id)),
                *([] if best is None else [best, best]),
                *(v for term in terms for v in (units[term], bits[term], term, limits[term]))]
        return {row["product_id"]: (row["score"], row["upper"]) for row in self._all(sql, args)}

    def list_weights(self, ids: list[int], terms: list[str]) -> list[dict[str, Any]]:
        sql = LIST_WEIGHTS.format(ids=placeholders(ids), terms=placeholders(terms))
        return self._all(sql, [*ids, *terms])

    def list_ends(self, limits: dict[str, int]) -> dict[str, tuple[int, int]]:
        """{term: (weight, product_id)} of each word's entry number `limit`, for the lists that long."""
        terms = list(limits)
        rows = self._all(" UNION ALL ".join([_AT] * len(terms)),
                         [v for term in terms for v in (term, limits[term] - 1)])
        return {row["term"]: (row["weight"], row["product_id"]) for row in rows}

    def recount(self) -> int:
        self._change(CLEAR_COUNTS)
        return self._change(RECOUNT)

    def count_carrying(self, terms: list[str], limit: int) -> int:
        return int(self._scalar(COUNT_CARRYING.format(terms=placeholders(terms)), [*terms, limit]))


def carries(terms: list[str] | tuple[str, ...], common: bool = False) -> tuple[str, list[Any]]:
    """The condition "product p carries one of these words" and its arguments ("0 = 1" for no words); common:
    checked product by product (see CARRIES_EACH)."""
    if not terms:
        return "0 = 1", []
    return (CARRIES_EACH if common else CARRIES).format(terms=placeholders(terms)), list(terms)
