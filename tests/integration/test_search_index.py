"""The search index: kept with every product write, ranked like a full sort of every match, read only as far as
a page needs, and repaired by `flask search-index` after SQL writes."""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from backend.context import SYSTEM
from backend.repositories.products import Criteria, ProductRepository
from backend.repositories.search_index import SearchIndexRepository
from backend.services import search_index
from backend.services.products import _walks
from backend.services.search_words import product_terms, rarity
from tests.catalog_support import product, tree, word


def _index_of(db, product_id: int) -> dict[str, int]:
    with db.cursor() as cur:
        cur.execute("SELECT term, weight FROM product_terms WHERE product_id = %s", (product_id,))
        return {row["term"]: row["weight"] for row in cur.fetchall()}


def _counts(db, terms: list[str]) -> dict[str, int]:
    with db.uow() as uow:
        return SearchIndexRepository(uow.conn).list_counts(terms)


def test_every_product_write_keeps_the_index(services, db):
    w = word()
    made = product(services, f"{w} Oak lamp", description=f"An oak lamp. {w}x")
    assert _index_of(db, made["id"]) == {w: 3, "oak": 4, "lamp": 4, f"{w}x": 1}
    assert _counts(db, [w, f"{w}x", f"{w}y"]) == {w: 1, f"{w}x": 1}
    services.products.update_product(SYSTEM, made["id"], {"name": f"{w}y Oak desk", "description": ""})
    assert _index_of(db, made["id"]) == {f"{w}y": 3, "oak": 3, "desk": 3}
    assert _counts(db, [w, f"{w}x", f"{w}y"]) == {f"{w}y": 1}  # counts at 0 are not words any more
    services.products.update_product(SYSTEM, made["id"], {"is_archived": True})
    assert _index_of(db, made["id"]) == {} and _counts(db, [f"{w}y"]) == {}
    services.products.update_product(SYSTEM, made["id"], {"is_archived": False})
    assert _index_of(db, made["id"]) == {f"{w}y": 3, "oak": 3, "desk": 3}
    assert services.products.delete_product(SYSTEM, made["id"]) == "deleted"
    assert _counts(db, [f"{w}y"]) == {}
    # A price or stock change leaves the words alone (no write to the index at all).
    other = product(services, f"{w} Stool")
    services.products.update_product(SYSTEM, other["id"], {"stock": 9})
    assert _index_of(db, other["id"]) == {w: 3, "stool": 3}


def _brute_force(db, vocabulary: list[str], searched: list[str], allowed: set[int] | None) -> list[int]:
    """Every product carrying a searched word, scored from the table, fully sorted: what rank must equal."""
    with db.cursor() as cur:
        cur.execute("SELECT product_id, term, weight FROM product_terms WHERE term IN %s", (vocabulary,))
        rows = cur.fetchall()
    counts = _counts(db, searched)
    scores: dict[int, float] = {}
    for row in rows:
        if row["term"] in counts:
            scores.setdefault(row["product_id"], 0.0)
    for pid in scores:
        found = {r["term"]: r["weight"] for r in rows if r["product_id"] == pid}
        scores[pid] = sum(rarity(counts[t]) * found.get(t, 0) for t in counts)
    kept = [pid for pid in scores if allowed is None or pid in allowed]
    return sorted(kept, key=lambda pid: (-scores[pid], -pid))


@pytest.mark.parametrize("first_read, words_first_read, read_max", [(4, 1, 20_000), (3, 1, 40), (64, 16, 20_000)])
def test_ranking_equals_a_full_sort_of_every_match(services, db, monkeypatch, first_read, words_first_read, read_max):
    # Small first reads and a low READ_MAX make the early stop, its later rounds and its last whole read all
    # happen on a catalog of 160 products; many equal weights make ties (broken by newest id) common.
    monkeypatch.setattr(search_index, "FIRST_READ", first_read)
    monkeypatch.setattr(search_index, "WORDS_FIRST_READ", words_first_read)
    monkeypatch.setattr(search_index, "READ_MAX", read_max)
    w = word()
    vocabulary = [f"{w}{letter}" for letter in "abcdef"]
    rng = random.Random(11)
    made = []
    for n in range(160):
        name = " ".join(rng.choice(vocabulary[:4]) for _ in range(rng.randint(1, 3)))
        description = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 4)))
        made.append(product(services, f"{name} {n}", description=description)["id"])
    odd = {pid for pid in made if pid % 2}
    for searched in ([vocabulary[0]], vocabulary[:2], [vocabulary[4], vocabulary[1], vocabulary[5]], vocabulary):
        counts = _counts(db, searched)
        for allowed in (None, odd):
            expected = _brute_force(db, vocabulary, searched, allowed)
            for need in (1, 7, 24, 60, 500):
                with db.uow() as uow:
                    keep = (lambda ids, allowed=allowed: set(ids) & allowed) if allowed is not None else None
                    got = search_index.rank(uow.conn, {t: counts[t] for t in searched if t in counts}, need, keep)
                assert got == expected[:need], (searched, allowed is not None, need)


def test_a_first_page_reads_only_the_first_entries_of_each_list(services, db, monkeypatch):
    monkeypatch.setattr(search_index, "WORDS_FIRST_READ", 2)  # a first read shorter than these lists
    w = word()
    ids = tree(services, {"Many": {}})
    for n in range(150):
        product(services, f"{w} crate {n}", category_id=ids["Many"], description=f"{w}b" if n % 3 == 0 else "")
    asked = []
    real = SearchIndexRepository.list_bounded

    def recorded(self, limits, units, ends, best=None):
        asked.append(dict(limits))
        return real(self, limits, units, ends, best)

    monkeypatch.setattr(SearchIndexRepository, "list_bounded", recorded)
    with db.uow() as uow:
        counts = search_index.word_counts(uow.conn, [w, f"{w}b"])
        assert counts == {w: 150, f"{w}b": 50}
        page = search_index.rank(uow.conn, counts, 24)
    # One round: 64 of the 150 entries of the first word's list, and the second's 50 (all it has).
    assert asked == [{w: 64, f"{w}b": 50}] and len(page) == 24
    # The first products are those carrying both words (weight 3 in the name, 1 in the description).
    both = {pid for pid, found in _weights(db, page).items() if f"{w}b" in found}
    assert set(page[:len(both)]) == both and len(both) == 24


def _weights(db, ids: list[int]) -> dict[int, dict[str, int]]:
    with db.cursor() as cur:
        cur.execute("SELECT product_id, term, weight FROM product_terms WHERE product_id IN %s", (ids,))
        found: dict[int, dict[str, int]] = {}
        for row in cur.fetchall():
            found.setdefault(row["product_id"], {})[row["term"]] = row["weight"]
        return found


def test_flask_search_index_repairs_what_sql_wrote(app, services, db, client):
    w = word()
    kept = product(services, f"{w} Kept")
    hidden = product(services, f"{w} Hidden")
    renamed = product(services, f"{w}r Old")
    with db.cursor() as cur:
        cur.execute("INSERT INTO products (name, slug, description, price, current_price, stock) "
                    "VALUES (%s, %s, '', 5, 5, 1)", (f"{w} Typed", f"{w}-typed"))
        typed = cur.lastrowid
        cur.execute("UPDATE products SET is_archived = 1 WHERE id = %s", (hidden["id"],))
        cur.execute("UPDATE products SET name = %s WHERE id = %s", (f"{w}r Renamed", renamed["id"]))
        cur.execute("DELETE FROM products WHERE id = %s", (kept["id"],))  # its words go, its counts stay
    assert _counts(db, [w]) == {w: 2}
    # Until repaired, a search shows neither the archived product (rows are read visible only) nor the new one.
    assert [item["id"] for item in client.get(f"/api/v1/products?q={w}").get_json()["items"]] == []
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["search-index"])
    assert result.exit_code == 0, result.output
    assert "product(s) read" in result.output and "word(s) counted" in result.output
    assert _index_of(db, typed) == product_terms(f"{w} Typed", "") and _index_of(db, hidden["id"]) == {}
    assert _counts(db, [w]) == {w: 1} and _index_of(db, renamed["id"]) == product_terms(f"{w}r Renamed", "")
    body = client.get(f"/api/v1/products?q={w}").get_json()
    assert [item["id"] for item in body["items"]] == [typed] and body["total"] == 1


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "name"])
def test_a_search_in_another_order_reads_alike_both_ways(services, db, sort):
    # Checking each product of the order's index walk (common words) and reading the words' products (few
    # words) are two statements for one answer: every page, with and without filters, is the same.
    w = word()
    ids = tree(services, {"Walked": {}})
    rng = random.Random(5)
    for n in range(60):
        name = f"{rng.choice([w, f'{w}b', 'plain'])} {rng.choice([f'{w}c', 'item'])} {n}"
        product(services, name, price=f"{rng.randint(1, 40)}.00", stock=rng.choice([0, 3]),
                category_id=ids["Walked"] if n % 2 else None)
    with db.uow() as uow:
        repo = ProductRepository(uow.conn)
        for terms in ([w], [f"{w}b", f"{w}c"]):
            for extra in ({}, {"category_ids": [ids["Walked"]], "in_stock": True}):
                criteria = Criteria(terms=tuple(terms), sort=sort, variant_hits=(), **extra)
                for offset in (0, 5, 20):
                    pages = [repo.list_page(replace(criteria, terms_common=common), 5, offset)[0]
                             for common in (False, True)]
                    assert [r["id"] for r in pages[0]] == [r["id"] for r in pages[1]], (terms, extra, offset)
                assert repo.list_page(criteria, 5, 0)[0], (terms, extra)  # pages with products were compared


def test_common_words_walk_and_rare_ones_are_read():
    # Reading a word's products costs about one lookup each; walking costs about end * catalog / matches.
    assert _walks({"warranty": 100_000}, 24, 100_000) and _walks({"walnut": 7_600}, 24, 100_000)
    assert not _walks({"4099": 1}, 24, 100_000) and not _walks({"a": 1_000, "b": 500}, 24, 100_000)
    assert not _walks({"walnut": 7_600}, 24, 10_000_000)  # the same word in a catalog 100 times larger


def test_init_db_indexes_products_newer_than_the_index_and_stays_quick(app, services, db):
    # An upgrade's backfill cut off half way, or rows inserted with SQL: init-db goes on from the newest product
    # the index holds, reading nothing below it (so a restart of a large shop costs no scan of its catalog).
    w = word()
    indexed = product(services, f"{w} Indexed")
    product(services, f"{w} Anchor")  # the newest product the index holds
    with db.cursor() as cur:
        cur.execute("DELETE FROM product_terms WHERE product_id = %s", (indexed["id"],))  # below: left alone
        cur.execute("INSERT INTO products (name, slug, description, price, current_price, stock) "
                    "VALUES (%s, %s, '', 5, 5, 1)", (f"{w} Newer", f"{w}-newer"))
        newer = cur.lastrowid
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "product(s) indexed" in result.output  # this one, and any other test's rows inserted with SQL
    assert _index_of(db, newer) == product_terms(f"{w} Newer", "") and _index_of(db, indexed["id"]) == {}


def test_concurrent_product_writes_sharing_words_all_land_and_count_right(services, db):
    # Each write changes only its own words' rows by their exact keys (no gap locks on product_terms): eight
    # writers adding and editing products with the same words all succeed, and the counts match the rows.
    w = word()

    def writer(n: int) -> None:
        for i in range(6):
            made = product(services, f"{w} lamp {n} {i}", description=f"warm {w}x")
            services.products.update_product(SYSTEM, made["id"], {"description": f"warm {w}y {i}"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        for done in [pool.submit(writer, n) for n in range(8)]:
            done.result()  # a writer's exception fails the test here
    with db.cursor() as cur:
        cur.execute("SELECT term, COUNT(*) AS n FROM product_terms WHERE term IN (%s, %s, %s) GROUP BY term",
                    (w, f"{w}x", f"{w}y"))
        rows = {row["term"]: row["n"] for row in cur.fetchall()}
    assert rows == {w: 48, f"{w}y": 48} and _counts(db, [w, f"{w}x", f"{w}y"]) == rows
