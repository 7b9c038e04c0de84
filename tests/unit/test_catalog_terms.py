"""Pure catalog helpers: search-term normalisation and slugs."""
from __future__ import annotations

import pytest

from backend.repositories.products import match_terms
from backend.services.search import trending_term
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


def test_match_terms_keeps_words_and_drops_fulltext_operators():
    assert match_terms("desk lamp") == "desk lamp"
    assert match_terms("*") == "" and match_terms(" * ") == "" and match_terms('"') == ""
    assert match_terms('+red -"desk lamp" ~old <big> (new)* @3') == "red desk lamp old big new 3"
    assert match_terms("desk' and (select (case when 1=1 then 1 else 0 end))") == \
        "desk and select case when 1 1 then 1 else 0 end"
    assert match_terms("café_bar São-Paulo 東京") == "café_bar São Paulo 東京"
