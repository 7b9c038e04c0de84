"""The search index: keeping each visible product's words in product_terms, and ranking a search from it.

Why not InnoDB FULLTEXT: it builds the whole set of matching documents, and ranks every one, before any
LIMIT applies (about 3-6 us per match: 0.3-0.6 s for a word in every product of 100,000). Here each word's
products are kept best first, so a search reads the first few dozen entries of each of its words' lists
and stops as soon as no product further down could still make the page (the "no random access" threshold
algorithm of Fagin, Lotem and Naor, with a few scores completed by key): the cost is set by the page asked
for, not by how many products match.

A product's score is the sum, over the searched words it carries, of the word's weight in it (see
search_words.product_terms) times the word's rarity (search_words.rarity); ties go to the newer product.
Every product write calls index_products in the write's own transaction, so the index never lags the catalog.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from math import ceil

from backend.db import Connection, maintenance_connect
from backend.repositories.search_index import SearchIndexRepository
from backend.services.base import Progress, Service
from backend.services.search_words import product_terms, rarity

# The first read takes this many entries of each word's list, or twice the page's end if more ...
FIRST_READ = 64
# ... or, searching several words, WORDS_FIRST_READ times the page's end: products carrying more of them
# rank first, and they are a small share of each list (in the demo catalog one product in 13 of those with
# "urban" also says "cotton"). Reading more entries costs the database little and Python nothing (a round
# answers only the products that could make the page); another round costs a round trip and its reads.
WORDS_FIRST_READ = 16
# A commoner word's list is read deeper, in proportion, up to this many times (see rank).
DEPTH_RATIO_MAX = 16
# ... and each further round reads further, until the lists are read to their ends or would be read this
# far, when they are read whole (a search whose filters drop most of its matches).
READ_MAX = 20_000
# The most products a round completes by primary key (see _complete_contenders).
COMPLETE_MAX = 200
# Products indexed per transaction in bulk (the seed, init-db after the upgrade, flask search-index).
BATCH = 1000

Keep = Callable[[list[int]], set[int]]


def index_products(conn: Connection, ids: Iterable[int]) -> None:
    """Bring the index up to date with these products as they are now (visible ones in, others out)."""
    _rewrite(conn, ids, visible=True)


def unindex_products(conn: Connection, ids: Iterable[int]) -> None:
    """Take these products out of the index (before they are erased: their rows would go, their counts not)."""
    _rewrite(conn, ids, visible=False)


def _rewrite(conn: Connection, ids: Iterable[int], visible: bool) -> None:
    # Only what changed is written, and removed words by their exact keys: a DELETE by product_id alone
    # also locks the gap next to it, and concurrent product writes then deadlocked on each other's inserts.
    ids = sorted(set(ids))
    if not ids:
        return
    repo = SearchIndexRepository(conn)
    old: dict[int, dict[str, int]] = {}
    for row in repo.list_product_terms(ids):
        old.setdefault(row["product_id"], {})[row["term"]] = row["weight"]
    new: dict[int, dict[str, int]] = {}
    for product in repo.list_texts(ids) if visible else []:
        if not product["is_archived"]:
            new[product["id"]] = product_terms(product["name"], product["description"])
    deltas: dict[str, int] = {}
    writes = []
    for product_id in ids:
        before, after = old.get(product_id, {}), new.get(product_id, {})
        gone = sorted(before.keys() - after.keys())
        if gone:
            repo.remove_product_terms(product_id, gone)
        writes += [(term, product_id, weight) for term, weight in after.items() if before.get(term) != weight]
        for term in gone:
            deltas[term] = deltas.get(term, 0) - 1
        for term in after.keys() - before.keys():
            deltas[term] = deltas.get(term, 0) + 1
    repo.put_product_terms(writes)
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
    units = {term: rarity(products) for term, products in counts.items()}
    depth = max(FIRST_READ, (2 if len(counts) == 1 else WORDS_FIRST_READ) * need)
    # Lists are read to about the same horizon: newest entries first at equal weights, so a word in twice as
    # many products is read twice as deep (up to DEPTH_RATIO_MAX times), the products carrying several
    # words meeting in both. The least common word that the first read does not take whole sets the pace.
    pace = min((products for products in counts.values() if products > depth), default=1)
    scale = {term: min(DEPTH_RATIO_MAX, max(1.0, products / pace)) for term, products in counts.items()}
    while True:
        limits = {term: products if depth * scale[term] >= READ_MAX else min(ceil(depth * scale[term]), products)
                  for term, products in counts.items()}
        # Without filters only products that could be among the best `need` matter: the database leaves out
        # the rest. With filters it cannot tell which pass, so it answers every product read.
        bounds, ends = _read_round(repo, units, limits, counts, need if keep is None else None)
        kept = keep(list(bounds)) if keep is not None else set(bounds)
        _complete_contenders(repo, units, bounds, kept, need)
        settled = _settled(sorted(kept, key=lambda pid: (-bounds[pid][0], -pid)), bounds, units, ends)
        if len(settled) >= need or not ends:
            return settled[:need]
        # Read further down every list that goes on, as far as this round's yield says the page needs (and a
        # quarter more): 2 to 16 times as far.
        depth *= max(2, min(16, -(-5 * need // (4 * max(len(settled), 1)))))


Bounds = dict[int, tuple[int, int]]  # product id: (score so far, the most its score can be)
Ends = dict[str, tuple[int, int]]  # word: (weight, product id) of the last entry read of a list that goes on


def _read_round(repo: SearchIndexRepository, units: dict[str, int], limits: dict[str, int],
                counts: dict[str, int], best: int | None) -> tuple[Bounds, Ends]:
    """What the lists' first `limits` entries tell of each product they brought (of those that could be among
    the `best`, when given), and where the lists that go on stopped."""
    open_lists = {term: limit for term, limit in limits.items() if limit < counts[term]}
    if len(units) == 1:
        # One word: its list is the answer's order, so what was read is all there is to know.
        (term, unit), = units.items()
        rows = repo.list_best(limits)
        bounds = {row["product_id"]: (unit * row["weight"],) * 2 for row in rows}
        goes_on = term in open_lists and len(rows) == limits[term]
        return bounds, {term: (rows[-1]["weight"], rows[-1]["product_id"])} if goes_on else {}
    ends = repo.list_ends(open_lists) if open_lists else {}
    return repo.list_bounded(limits, units, ends, best), ends


def _complete_contenders(repo: SearchIndexRepository, units: dict[str, int], bounds: Bounds, kept: set[int],
                         need: int) -> None:
    """Complete, by primary key, the scores of the few products that could still make the page but whose other
    words lie further down their lists than was read (a product with a rare word, say, whose common word's
    list would otherwise be read to its end to learn it)."""
    lowest = sorted((bounds[pid][0] for pid in kept), reverse=True)[need - 1] if len(kept) >= need else 0
    contenders = [pid for pid in kept if bounds[pid][0] != bounds[pid][1] and bounds[pid][1] >= lowest]
    if not contenders or len(contenders) > COMPLETE_MAX:
        return  # none, or so many that reading further down the lists costs less
    scores = dict.fromkeys(contenders, 0)
    for row in repo.list_weights(contenders, list(units)):
        scores[row["product_id"]] += units[row["term"]] * row["weight"]
    bounds.update((pid, (score, score)) for pid, score in scores.items())


def _settled(order: list[int], bounds: Bounds, units: dict[str, int], ends: Ends) -> list[int]:
    """The head of order (by score so far, then newest) whose places nothing can take any more: each of its
    products' scores is complete, and no other product, read or not, can score more (or as much, if newer)."""
    if not ends:
        return order  # every list was read to its end: every score is complete
    # A product no list brought scores at most the lists' last weights read (times their units), and when it
    # ties that sum it is older than each of those last entries.
    unread = (sum(units[term] * weight for term, (weight, _) in ends.items()),
              min(last_id for _, last_id in ends.values()) - 1)
    # best_after[i]: the most that any product from position i on could score, with its id on a tie.
    best_after = [unread] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        pid = order[i]
        best_after[i] = max(best_after[i + 1], (bounds[pid][1], pid))
    settled = []
    for i, pid in enumerate(order):
        score, most = bounds[pid]
        if most != score or best_after[i + 1] > (score, pid):
            break
        settled.append(pid)
    return settled


def _index_batches(conn: Connection, next_ids: Callable[[int], list[int]], after: int, progress: Progress | None,
                   commit: Callable[[], None]) -> int:
    """Index the products next_ids(after id) gives from `after` on, batch after batch, each committed; returns
    how many."""
    done = 0
    while ids := next_ids(after):
        index_products(conn, ids)
        commit()
        done, after = done + len(ids), ids[-1]
        if progress:
            progress(len(ids))
    return done


class SearchIndexService(Service):
    def index_missing(self, after: int | None = None, progress: Progress | None = None) -> int:
        """Index the visible products past id `after` that have no words (by default past the newest product
        the index holds: a seed's new rows, the catalog after the upgrade that brought the index, a backfill
        cut off half way, rows inserted with SQL since); returns how many. Each batch is its own transaction."""
        with self.db.uow() as uow:
            repo = SearchIndexRepository(uow.conn)
            start = repo.newest_indexed_id() if after is None else after
            return _index_batches(uow.conn, lambda last: repo.list_unindexed(last, BATCH), start, progress,
                                  uow.commit)

    def repair(self, progress: Progress | None = None) -> tuple[int, int]:
        """After products were written with SQL instead of the API: index every product again as it is now
        (only what changed is written) and count each word's products again from the index (products erased
        with SQL took their words with them, not their counts). Returns (products read, words counted).
        Whole-catalog work, so on a connection of its own without the web's statement bound."""
        conn = maintenance_connect(self.settings)
        try:
            repo = SearchIndexRepository(conn)
            read = _index_batches(conn, lambda last: repo.list_product_ids(last, BATCH), 0, progress, conn.commit)
            words = repo.recount()
            conn.commit()
        finally:
            conn.close()
        return read, words
