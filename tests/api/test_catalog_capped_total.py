"""Listing totals stop counting at TOTAL_CAP (flagged total_capped); below it they stay exact."""
from __future__ import annotations

import pytest

from backend.services import products as products_service
from tests.catalog_support import product, tree, word


@pytest.fixture
def cap_of_five(monkeypatch):
    # The real cap is 1,000; five lets a test cross it with a handful of products.
    monkeypatch.setattr(products_service, "TOTAL_CAP", 5)


def _page(client, query):
    body = client.get(f"/api/v1/products?{query}").get_json()
    return len(body["items"]), body["total"], body["pages"], body["total_capped"]


def test_totals_stop_at_the_cap_and_say_so(client, services, cap_of_five):
    ids = tree(services, {"Capped": {}})
    w = word()
    for n in range(8):
        product(services, f"{w} {w}crate {n}", category_id=ids["Capped"])
    query = f"category_id={ids['Capped']}&per_page=2"
    assert _page(client, query) == (2, 5, 3, True)
    # Past the cap, a full page reports the products shown so far: at least that many match.
    assert _page(client, f"{query}&page=3") == (2, 6, 3, True)
    assert _page(client, f"{query}&page=5") == (0, 5, 3, True)
    # A short page knows the exact total without counting; so does a one-word search (the index counts
    # each word's products), in any order.
    assert _page(client, f"category_id={ids['Capped']}&per_page=24") == (8, 8, 1, False)
    assert _page(client, f"q={w}&per_page=2") == (2, 8, 4, False)
    assert _page(client, f"q={w}&per_page=2&sort=price_asc") == (2, 8, 4, False)
    # Several words, or a word with filters, are counted like a listing: up to the cap.
    assert _page(client, f"q={w}+{w}crate&per_page=2") == (2, 5, 3, True)
    assert _page(client, f"q={w}&category_id={ids['Capped']}&per_page=2") == (2, 5, 3, True)
    # A page past the end answers the total the first page did, as the listing's does.
    assert _page(client, f"q={w}+{w}crate&per_page=2&page=60") == (0, 5, 3, True)
    assert _page(client, f"q={w}&per_page=2&page=60") == (0, 8, 4, False)


def test_totals_up_to_the_cap_are_exact(client, services, cap_of_five):
    ids = tree(services, {"Exact": {}})
    w = word()
    for n in range(5):
        product(services, f"{w} barrel {n}", category_id=ids["Exact"])
    assert _page(client, f"category_id={ids['Exact']}&per_page=2") == (2, 5, 3, False)
    assert _page(client, f"category_id={ids['Exact']}&per_page=2&page=9") == (0, 5, 3, False)


def test_totals_are_exact_and_uncapped_by_default(client, services):
    ids = tree(services, {"Plain": {}})
    w = word()
    for n in range(6):
        product(services, f"{w} drum {n}", category_id=ids["Plain"])
    assert products_service.TOTAL_CAP == 1000
    assert _page(client, f"category_id={ids['Plain']}&per_page=4&page=2") == (2, 6, 2, False)
    assert _page(client, f"category_id={ids['Plain']}&per_page=4") == (4, 6, 2, False)
