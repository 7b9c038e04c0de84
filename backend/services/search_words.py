"""The words a product is found by, and the words of a search: one rule for both sides of the search index.

Pure functions, no database. A word is a run of letters, digits or underscores of any script, folded
(case, width, accents: "Café" and "CAFE" are one word), cut to WORD_MAX characters; words shorter than
WORD_MIN and common function words (STOPWORDS, InnoDB's default list) are left out, as the FULLTEXT
index the search used before left them out.
"""
from __future__ import annotations

import math
import re
import unicodedata

WORD_MIN = 2
WORD_MAX = 64  # product_terms.term is VARCHAR(64)
# A search reads one posting list per word: more words than this add cost, not better answers.
QUERY_WORDS_MAX = 8
# A word in the name says more about the product than one in its description.
NAME_WEIGHT = 3
WEIGHT_MAX = 65_535  # product_terms.weight is SMALLINT UNSIGNED
# InnoDB's default FULLTEXT stopword list (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD).
STOPWORDS = frozenset({
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in", "is",
    "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "who", "will",
    "with", "und", "www"})
# Rarer words weigh more: a word's weight in a search is ln(1 + RARITY_SCALE / products carrying it).
# A fixed scale instead of the catalog's size keeps the index free of a counter every product write would
# lock; ranking compares words within one search, where only their relative weight matters.
RARITY_SCALE = 1_000_000

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Text as the index compares it: compatibility forms, case folded, accents dropped."""
    if text.isascii():
        return text.lower()  # the same answer, without a pass per character (the seed folds millions of words)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The indexable words of some text, in order, repeats kept."""
    found = (word[:WORD_MAX] for word in _WORD.findall(fold(text)))
    return [word for word in found if len(word) >= WORD_MIN and word not in STOPWORDS]


def product_terms(name: str, description: str) -> dict[str, int]:
    """{word: weight} of one product: NAME_WEIGHT per time in the name plus one per time in the description."""
    weights: dict[str, int] = {}
    for word in words(name):
        weights[word] = weights.get(word, 0) + NAME_WEIGHT
    for word in words(description):
        weights[word] = weights.get(word, 0) + 1
    return {word: min(weight, WEIGHT_MAX) for word, weight in weights.items()}


def query_terms(q: str) -> list[str]:
    """The distinct words of a search, in the order typed, at most QUERY_WORDS_MAX."""
    return list(dict.fromkeys(words(q)))[:QUERY_WORDS_MAX]


def rarity(products: int) -> int:
    """How much one unit of a word's weight counts in a search, by how many products carry the word: in
    thousandths, so scores are whole numbers that the database and Python add up alike (ties are exact)."""
    return round(1000 * math.log1p(RARITY_SCALE / max(products, 1)))
