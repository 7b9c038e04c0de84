"""Listing totals are cached briefly; catalog writes in this process show at once; searches are never cached."""
from __future__ import annotations

import pytest

from backend.services.listing_cache import ListingCache
from backend.services.search_index import index_products
from tests.catalog_support import product, tree, word
from tests.unit.test_catalog_listing_cache import FakeClock


@pytest.fixture
def clocked_cache(services):
    """Swap in a cache whose time the test moves, for the services that share it."""
    clock = FakeClock()
    cache = ListingCache(ttl=10, clock=clock)
    owners = (services.products, services.categories, services.offers)
    saved = [owner.cache for owner in owners]
    for owner in owners:
        owner.cache = cache
    yield clock
    for owner, old in zip(owners, saved, strict=True):
        owner.cache = old


def _total(client, query):
    return client.get(f"/api/v1/products?{query}").get_json()["total"]


def test_a_staff_write_shows_at_once(client, services, make_user, clocked_cache):
    ids = tree(services, {"Cached": {}})
    w = word()
    for n in range(30):
        product(services, f"{w} crate {n}", category_id=ids["Cached"])
    query = f"category_id={ids['Cached']}&per_page=24"
    assert _total(client, query) == 30
    staff = make_user("product_manager")
    created = client.post("/api/v1/products", headers=staff["headers"],
                          json={"name": f"{w} crate new", "price": "5.00", "stock": 1, "category_id": ids["Cached"]})
    assert created.status_code == 201
    assert _total(client, query) == 31
    assert client.delete(f"/api/v1/products/{created.get_json()['id']}", headers=staff["headers"]).status_code == 204
    assert _total(client, query) == 30


def test_a_change_from_elsewhere_shows_within_the_ttl(client, services, clocked_cache):
    ids = tree(services, {"Elsewhere": {}})
    w = word()
    made = [product(services, f"{w} barrel {n}", category_id=ids["Elsewhere"]) for n in range(26)]
    query = f"category_id={ids['Elsewhere']}&per_page=24"
    searched = f"q={w}&per_page=24"
    assert _total(client, query) == 26 and _total(client, searched) == 26
    # Another worker process archives one (its write keeps the search index in the same transaction): this
    # process's listing total learns of it only when its entry expires; a search reads the index at once.
    with services.db.uow() as uow:
        with uow.conn.cursor() as cur:
            cur.execute("UPDATE products SET is_archived = 1 WHERE id = %s", (made[0]["id"],))
        index_products(uow.conn, [made[0]["id"]])
        uow.commit()
    assert _total(client, query) == 26 and _total(client, searched) == 25
    clocked_cache.now += 11
    assert _total(client, query) == 25 and _total(client, searched) == 25


def test_search_pages_come_from_one_ranking(client, services, clocked_cache):
    ids = tree(services, {"Ranked": {}})
    w = word()
    for n in range(30):
        product(services, f"{w} lantern {n:02d}", category_id=ids["Ranked"])
    first = client.get(f"/api/v1/products?q={w}&per_page=20").get_json()
    second = client.get(f"/api/v1/products?q={w}&per_page=20&page=2").get_json()
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == 30 and first["total"] == second["total"] == 30
