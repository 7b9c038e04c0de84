"""The search index: keeping each visible product's words in product_terms, and ranking a search from it.

Why not InnoDB FULLTEXT: it builds the whole set of matching documents, and ranks every one, before any
LIMIT applies (about 3-6 us per match: 0.3-0.6 s for a word in every product of 100,000). Here each word's
products are kept best first, so a search reads the first few dozen entries of each of its words' lists
and stops as soon as no product further down could still make the page (the threshold algorithm, Fagin et
al.): the cost is set by the page asked for, not by how many products match.

A product's score is the sum, over the searched words it carries, of the word's weight in it (see
search_words.product_terms) times the word's rarity (search_words.rarity); ties go to the newer product.
Every product write calls index_products in its own transaction, so the index never lags the catalog.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from backend.db import Connection
from backend.repositories.search_index import SearchIndexRepository
from backend.services.base import Progress, Service
from backend.services.search_words import product_terms, rarity

# The first read takes this many entries of each word's list (or twice the page's end, if more) ...
FIRST_READ = 64
# ... and each further round four times as many, until a list is read to its end or this many entries
# were read, where one last read takes the lists whole (a search that filters most of its matches away).
READ_MAX = 20_000
# Products indexed per transaction when indexing those that are missing (init-db after an upgrade).
BATCH = 1000

Keep = Callable[[list[int]], set[int]]


def index_products(conn: Connection, ids: Iterable[int]) -> None:
    """Bring the index up to date with these products as they are now (visible ones in, others out)."""
    _rewrite(conn, ids, visible=True)


def unindex_products(conn: Connection, ids: Iterable[int]) -> None:
    """Take these products out of the index (before they are erased: their rows would go, their counts not)."""
    _rewrite(conn, ids, visible=False)


def _rewrite(conn: Connection, ids: Iterable[int], visible: bool) -> None:
    ids = sorted(set(ids))
    if not ids:
        return
    repo = SearchIndexRepository(conn)
    deltas: dict[str, int] = {}
    for row in repo.list_product_terms(ids):
        deltas[row["term"]] = deltas.get(row["term"], 0) - 1
    rows = []
    for product in repo.list_texts(ids) if visible else []:
        if product["is_archived"]:
            continue
        for term, weight in product_terms(product["name"], product["description"]).items():
            rows.append((term, product["id"], weight))
            deltas[term] = deltas.get(term, 0) + 1
    repo.remove_product_terms(ids)
    repo.add_product_terms(rows)
    repo.add_to_counts({term: delta for term, delta in deltas.items() if delta})


def word_counts(conn: Connection, terms: list[str]) -> dict[str, int]:
    """{word: products carrying it} for the searched words some product carries, in the order searched."""
    counts = SearchIndexRepository(conn).list_counts(terms)
    return {term: counts[term] for term in terms if term in counts}


def count_carrying(conn: Connection, counts: dict[str, int], limit: int) -> int:
    """How many products carry any of the words (exact for one word; for more, counting stops at limit)."""
    if len(counts) == 1:
        return next(iter(counts.values()))
    return SearchIndexRepository(conn).count_carrying(list(counts), limit) if counts else 0


def rank(conn: Connection, counts: dict[str, int], need: int, keep: Keep | None = None) -> list[int]:
    """The first `need` product ids in relevance order among those carrying the words of counts (see
    word_counts) and, given keep (ids -> the ids that pass the listing's filters), passing it."""
    if not counts or need <= 0:
        return []
    repo = SearchIndexRepository(conn)
    terms = list(counts)
    rarities = [rarity(counts[term]) for term in terms]
    read = max(FIRST_READ, 2 * need)
    while True:
        whole = read >= READ_MAX
        rows = repo.list_best({term: counts[term] if whole else read for term in terms})
        ranked, complete = _ranked_round(repo, terms, rarities, rows, None if whole else read, keep)
        if complete or len(ranked) >= need or whole:
            return ranked[:need]
        read *= 4


def _ranked_round(repo: SearchIndexRepository, terms: list[str], rarities: list[float],
                  rows: list[dict[str, Any]], read: int | None, keep: Keep | None) -> tuple[list[int], bool]:
    """The products of one round that are sure of their place (in order), and whether every list ended
    (read: the entries asked of each list, None when they were read whole)."""
    weights: dict[int, dict[str, int]] = {}
    lists: dict[str, list[dict[str, Any]]] = {term: [] for term in terms}
    for row in rows:
        weights.setdefault(row["product_id"], {})[row["term"]] = row["weight"]
        lists[row["term"]].append(row)
    if len(terms) > 1:
        # A product one list brought may carry other searched words further down their lists: complete it.
        partial = [pid for pid, found in weights.items() if len(found) < len(terms)]
        for row in repo.list_weights(partial, terms):
            weights[row["product_id"]][row["term"]] = row["weight"]
    ids = list(weights)
    kept = keep(ids) if keep is not None else set(ids)
    scores = {pid: sum(r * weights[pid].get(term, 0) for term, r in zip(terms, rarities, strict=True))
              for pid in kept}
    order = sorted(kept, key=lambda pid: (-scores[pid], -pid))
    open_lists = [term for term in terms if read is not None and len(lists[term]) == read]
    if not open_lists:
        return order, True
    # Any product not read yet scores at most the sum of the open lists' last weights, and when it ties that
    # sum it sits below every one of those last entries in its lists (weight, then id, descending).
    last = {term: lists[term][-1] for term in open_lists}
    threshold = sum(r * last[term]["weight"] if term in last else 0 for term, r in zip(terms, rarities, strict=True))
    lowest_id = min(row["product_id"] for row in last.values())
    sure = []
    for pid in order:
        if scores[pid] < threshold or (scores[pid] == threshold and pid < lowest_id):
            break
        sure.append(pid)
    return sure, False


class SearchIndexService(Service):
    def index_missing(self, after: int = 0, progress: Progress | None = None) -> int:
        """Index every visible product past id `after` that the index has no words for (new seeded rows, all
        products after the upgrade that brought the index, rows written by SQL); returns how many."""
        done = 0
        while True:
            with self.db.uow() as uow:
                ids = SearchIndexRepository(uow.conn).list_unindexed(after, BATCH)
                index_products(uow.conn, ids)
                uow.commit()
            if not ids:
                return done
            done, after = done + len(ids), ids[-1]
            if progress:
                progress(len(ids))

    def repair(self) -> tuple[int, int]:
        """After products were written with SQL instead of the API: index the visible ones the index lacks,
        take out the archived ones it holds, and count each word's products again from the index (products
        erased with SQL took their words with them, not their counts). Returns (products indexed, words)."""
        indexed = self.index_missing()
        with self.db.uow() as uow:
            repo = SearchIndexRepository(uow.conn)
            unindex_products(uow.conn, repo.list_archived_indexed())
            words = repo.recount()
            uow.commit()
        return indexed, words
