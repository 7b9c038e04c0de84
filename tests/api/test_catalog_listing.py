"""GET /products: search relevance, category subtree, price range, stock, sorts, paging, bad input."""
from __future__ import annotations

from datetime import timedelta

import pytest

from backend.context import SYSTEM
from tests.catalog_support import names, product, tree, word
from tests.helpers import assert_error


@pytest.fixture
def shelf(services):
    """A unique tree Root > (Mid > Leaf, Side) with products whose names share one unique word."""
    w = word()
    ids = tree(services, {"Root": {"Mid": {"Leaf": {}}, "Side": {}}})
    made = {
        "root": product(services, f"{w} Anvil", "30.00", 3, ids["Root"]),
        "mid": product(services, f"{w} Bellows", "10.00", 0, ids["Mid"]),
        "leaf": product(services, f"{w} Chisel", "20.00", 12, ids["Leaf"]),
        "side": product(services, f"{w} Drill", "40.00", 1, ids["Side"]),
    }
    return w, ids, made


def test_category_filter_includes_every_descendant(client, shelf):
    w, ids, made = shelf
    root = client.get(f"/api/v1/products?category_id={ids['Root']}&sort=name").get_json()
    assert names(root) == [f"{w} Anvil", f"{w} Bellows", f"{w} Chisel", f"{w} Drill"]
    mid = client.get(f"/api/v1/products?category_id={ids['Mid']}&sort=name").get_json()
    assert names(mid) == [f"{w} Bellows", f"{w} Chisel"] and mid["total"] == 2
    leaf = client.get(f"/api/v1/products?category_id={ids['Leaf']}").get_json()
    assert names(leaf) == [f"{w} Chisel"]


def test_unknown_category_is_a_validation_error(client):
    error = assert_error(client.get("/api/v1/products?category_id=999999999"), 422, "validation_error")
    assert set(error["fields"]) == {"category_id"}


@pytest.mark.parametrize("sort, expected", [
    ("price_asc", ["Bellows", "Chisel", "Anvil", "Drill"]),
    ("price_desc", ["Drill", "Anvil", "Chisel", "Bellows"]),
    ("name", ["Anvil", "Bellows", "Chisel", "Drill"]),
    ("newest", ["Drill", "Chisel", "Bellows", "Anvil"]),
])
def test_every_sort(client, shelf, sort, expected):
    w, ids, _ = shelf
    body = client.get(f"/api/v1/products?category_id={ids['Root']}&sort={sort}").get_json()
    assert names(body) == [f"{w} {n}" for n in expected]


def test_price_range_and_in_stock_filters(client, shelf):
    w, ids, _ = shelf
    base = f"/api/v1/products?category_id={ids['Root']}&sort=price_asc"
    assert names(client.get(f"{base}&min_price=15&max_price=30").get_json()) == [f"{w} Chisel", f"{w} Anvil"]
    assert names(client.get(f"{base}&min_price=30.00").get_json()) == [f"{w} Anvil", f"{w} Drill"]
    assert names(client.get(f"{base}&max_price=10").get_json()) == [f"{w} Bellows"]
    in_stock = client.get(f"{base}&in_stock=true").get_json()
    assert names(in_stock) == [f"{w} Chisel", f"{w} Anvil", f"{w} Drill"] and in_stock["total"] == 3
    assert all(item["in_stock"] for item in in_stock["items"])
    everything = client.get(f"{base}&in_stock=false").get_json()
    assert everything["total"] == 4


def test_search_finds_by_word_and_combines_with_filters(client, shelf):
    w, ids, _ = shelf
    body = client.get(f"/api/v1/products?q={w}&sort=name").get_json()
    assert names(body) == [f"{w} Anvil", f"{w} Bellows", f"{w} Chisel", f"{w} Drill"]
    body = client.get(f"/api/v1/products?q={w}&category_id={ids['Mid']}&in_stock=1").get_json()
    assert names(body) == [f"{w} Chisel"]


def test_exact_name_match_ranks_first(client, services):
    w = word()
    # The others mention the words far more often, so plain FULLTEXT relevance would rank them higher.
    for n in range(3):
        product(services, f"{w} lantern {w} lantern deluxe {n}",
                description=" ".join([f"{w} lantern"] * 20))
    exact = product(services, f"{w} Lantern", description="A lamp.")
    body = client.get(f"/api/v1/products?q={w}%20lantern").get_json()
    assert body["total"] == 4
    assert body["items"][0]["id"] == exact["id"]
    # Relevance is the default with q, and the match ignores case and extra spaces.
    body = client.get(f"/api/v1/products?q=%20{w.upper()}%20%20LANTERN&sort=relevance").get_json()
    assert body["items"][0]["id"] == exact["id"]


# Text the FULLTEXT parser would read as operators, SQL, or nothing at all; each is just a search.
NASTY_Q = ["*", " * ", "**", '"', '""', "+-~<>()@", "desk' and (select (case when 1=1 then 1 else 0 end))",
           "a*", "*a", "(", ")", "@3", "-", "~", "\\", "%", "_", "'", "' OR '1'='1", "desk\u0000", "\u2019*",
           "MATCH(x) AGAINST ('y')", "x" * 5000]


@pytest.mark.parametrize("q", NASTY_Q, ids=[repr(q)[:40] for q in NASTY_Q])
def test_any_search_text_answers_200(client, q):
    response = client.get("/api/v1/products", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert set(response.get_json()) == {"items", "page", "per_page", "total", "pages", "total_capped"}


def test_operators_around_words_still_find_and_rank_them(client, services):
    w, lamp = word(), word()
    product(services, f"{w} {lamp} deluxe", description=" ".join([f"{w} {lamp}"] * 20))
    exact = product(services, f"{w} {lamp}", description="A lamp.")
    for q in (f"{w}* {lamp}", f'+{w} -"{lamp}', f"({w}) <{lamp}> ~@8", f"{w}' or (select 1)"):
        body = client.get("/api/v1/products", query_string={"q": q}).get_json()
        assert body["total"] == 2, q
    # The exact-name rule compares the text as typed: a name with operator characters still ranks first.
    odd = product(services, f"{w} C++ (2nd ed.)*", description="")
    body = client.get("/api/v1/products", query_string={"q": f"{w} C++ (2nd ed.)*"}).get_json()
    assert body["items"][0]["id"] == odd["id"]
    body = client.get("/api/v1/products", query_string={"q": f"{w} {lamp}"}).get_json()
    assert body["items"][0]["id"] == exact["id"]


def test_paging(client, services):
    ids = tree(services, {"Pages": {}})
    w = word()
    for n in range(5):
        product(services, f"{w} item {n}", category_id=ids["Pages"])
    first = client.get(f"/api/v1/products?category_id={ids['Pages']}&sort=name&per_page=2").get_json()
    third = client.get(f"/api/v1/products?category_id={ids['Pages']}&sort=name&per_page=2&page=3").get_json()
    beyond = client.get(f"/api/v1/products?category_id={ids['Pages']}&sort=name&per_page=2&page=9").get_json()
    assert names(first) == [f"{w} item 0", f"{w} item 1"] and names(third) == [f"{w} item 4"]
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (5, 3, 1, 2)
    assert beyond["items"] == [] and beyond["total"] == 5


def test_items_have_the_api_shape(client, shelf):
    _, ids, made = shelf
    item = client.get(f"/api/v1/products?category_id={ids['Leaf']}").get_json()["items"][0]
    assert item == {"id": made["leaf"]["id"], "name": made["leaf"]["name"], "slug": made["leaf"]["slug"],
                    "price": "20.00", "sale_price": None, "currency": "USD", "stock": 12, "in_stock": True,
                    "category_id": ids["Leaf"], "image_url": "", "has_variants": False}


def test_detail_has_description_category_path_and_offer(client, shelf):
    _, ids, made = shelf
    body = client.get(f"/api/v1/products/{made['leaf']['id']}").get_json()
    assert [c["id"] for c in body["category_path"]] == [ids["Root"], ids["Mid"], ids["Leaf"]]
    assert set(body["category_path"][0]) == {"id", "name", "slug"}
    assert body["description"] == "" and body["offer"] is None and body["price"] == "20.00"
    assert_error(client.get("/api/v1/products/999999999"), 404, "not_found")


@pytest.mark.parametrize("query, field", [
    ("sort=cheapest", "sort"), ("sort=price_asc;DROP", "sort"), ("page=0", "page"), ("page=abc", "page"),
    ("per_page=101", "per_page"), ("min_price=-1", "min_price"), ("max_price=ten", "max_price"),
    ("min_price=1.234", "min_price"), ("min_price=50&max_price=10", "max_price"), ("in_stock=maybe", "in_stock"),
    ("category_id=x", "category_id"), ("min_price=NaN", "min_price"),
])
def test_bad_query_values_are_422(client, query, field):
    error = assert_error(client.get(f"/api/v1/products?{query}"), 422, "validation_error")
    assert field in error["fields"]


def test_every_bad_query_value_is_named_at_once(client):
    error = assert_error(client.get("/api/v1/products?page=0&min_price=50&max_price=10&sort=cheapest"), 422,
                         "validation_error")
    assert set(error["fields"]) == {"page", "max_price", "sort"}


def test_archived_products_are_hidden(client, services, shelf):
    w, ids, made = shelf
    services.products.update_product(SYSTEM, made["side"]["id"], {"is_archived": True})
    body = client.get(f"/api/v1/products?q={w}&sort=name").get_json()
    assert f"{w} Drill" not in names(body) and body["total"] == 3
    assert_error(client.get(f"/api/v1/products/{made['side']['id']}"), 404, "not_found")


def test_searches_are_logged_normalised_and_trend(client, services, travel):
    w = word()
    product(services, f"{w} Desk Lamp")  # only searches that found products are logged
    for q in (f"  {w.upper()}   Lamp ", f"{w} lamp", f"{w} LAMP", f"{w} desk"):
        client.get("/api/v1/products", query_string={"q": q})
    client.get("/api/v1/products", query_string={"q": f"{w} lamp", "page": 2})  # paging is not a new search
    client.get("/api/v1/products", query_string={"q": f"{w} someone@example.com"})  # personal: not logged
    trending = client.get("/api/v1/search/trending?limit=50").get_json()
    mine = [t for t in trending if w in t["term"]]
    assert mine == [{"term": f"{w} lamp", "count": 3}, {"term": f"{w} desk", "count": 1}]
    travel(timedelta(days=8))
    assert [t for t in client.get("/api/v1/search/trending?limit=50").get_json() if w in t["term"]] == []


def test_trending_limit_is_validated(client):
    assert_error(client.get("/api/v1/search/trending?limit=0"), 422, "validation_error")
