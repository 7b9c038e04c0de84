"""Pure catalog helpers: search-term normalisation and slugs."""
from __future__ import annotations

from backend.services.search import normalise_term
from backend.services.slugs import slugify, unique_slug


def test_normalise_term():
    assert normalise_term("  Red   SHOES\t ") == "red shoes"
    assert normalise_term("x" * 150) == "x" * 100
    assert normalise_term(None) == "" and normalise_term("   ") == ""


def test_slugs():
    assert slugify("Café & Bar!") == "cafe-bar"
    assert slugify("***") == "item"
    assert unique_slug("Lamp", lambda base: {"lamp", "lamp-2"}) == "lamp-3"
    assert unique_slug("Lamp", lambda base: set()) == "lamp"
