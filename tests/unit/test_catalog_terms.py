"""Pure catalog helpers: search-term normalisation and slugs."""
from __future__ import annotations

import pytest

from backend.services.search import trending_term
from backend.services.search_words import fold, product_terms, query_terms, words
from backend.services.slugs import slugify, unique_slug


@pytest.mark.parametrize("q, term", [
    ("  Desk   LAMP\t", "desk lamp"), ("e-27 bulb", "e-27 bulb"), ("Schreibtisch-Lampe", "schreibtisch-lampe"),
    ("Лампа", "лампа"), ("台灯", "台灯"), ("लैंप", "लैंप"), ("one two three four", "one two three four"),
])
def test_plain_terms_may_trend(q, term):
    assert trending_term(q) == term


@pytest.mark.parametrize("q", [
    "desk' and (select (case when (1=1) then 1 else 0 end))", "one two three four five", "lamp!", "a_b",
    "--", "desk -", "x" * 101, "4111 1111 1111 1111", "me@example.com", "", "   ", None, "lamp\u200b",
])
def test_junk_never_trends(q):
    assert trending_term(q) is None


def test_slugs():
    assert slugify("Café & Bar!") == "cafe-bar"
    assert slugify("***") == "item"
    assert unique_slug("Lamp", lambda base: {"lamp", "lamp-2"}) == "lamp-3"
    assert unique_slug("Lamp", lambda base: set()) == "lamp"


def test_a_search_is_its_words_only():
    assert query_terms("desk lamp") == ["desk", "lamp"]
    assert query_terms("*") == [] and query_terms(" * ") == [] and query_terms('"') == []
    # Operators and SQL are separators; short words and stopwords are left out; repeats count once.
    assert query_terms('+red -"desk lamp" ~old <big> (new)* @3') == ["red", "desk", "lamp", "old", "big", "new"]
    assert query_terms("desk' and (select (case when 1=1 then 1 else 0 end))") == \
        ["desk", "and", "select", "case", "then", "else", "end"]
    assert query_terms("Lamp LAMP lamp") == ["lamp"]
    assert query_terms(" ".join(f"w{n}x" for n in range(20))) == [f"w{n}x" for n in range(8)]


def test_words_fold_case_width_and_accents_in_every_script():
    assert query_terms("café_bar São-Paulo 東京") == ["cafe_bar", "sao", "paulo", "東京"]
    assert fold("CAFÉ") == fold("cafe") == "cafe" and fold("Ｌａｍｐ") == "lamp" and fold("Straße") == "strasse"
    assert words("Лампа настольная") == ["лампа", "настольная"]
    assert words("x" * 100) == ["x" * 64]


def test_a_products_words_weigh_more_in_its_name():
    assert product_terms("Oak desk", "A solid oak desk with an oak top.") == {"oak": 5, "desk": 4, "solid": 1,
                                                                           "top": 1}
