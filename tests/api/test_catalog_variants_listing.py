"""The listing of products with variants: lowest price, stock sum, and price filters that match any variant."""
from __future__ import annotations

from decimal import Decimal

import pytest

from backend.context import SYSTEM
from backend.repositories import products
from tests.catalog_support import offer, product, tree, variant, word


@pytest.fixture
def shelf(services):
    """In one category of their own (and under a parent, for the subtree paths): a phone with variants at
    10.00 (out of stock) and 30.00 (2 left), and a simple product at 20.00; all named with one word."""
    w = word()
    ids = tree(services, {"Top": {"Phones": {}, "Other": {}}})
    phone = product(services, f"{w} Phone", "99.00", 0, ids["Phones"])
    small = variant(services, phone["id"], {"Storage": "128 GB"}, stock=0, price="10.00")
    big = variant(services, phone["id"], {"Storage": "256 GB"}, stock=2, price="30.00")
    case = product(services, f"{w} Case", "20.00", 4, ids["Other"])
    return {"w": w, "ids": ids, "phone": phone["id"], "small": small, "big": big, "case": case["id"]}


def _ids(client, **query) -> tuple[list[int], int]:
    body = client.get("/api/v1/products", query_string=query).get_json()
    return [item["id"] for item in body["items"]], body["total"]


def test_a_product_with_variants_lists_its_lowest_price_and_stock_sum(client, shelf):
    item = next(i for i in client.get("/api/v1/products", query_string={"q": shelf["w"]}).get_json()["items"]
                if i["id"] == shelf["phone"])
    assert (item["price"], item["sale_price"], item["stock"], item["in_stock"], item["has_variants"]) == (
        "10.00", None, 2, True, True)


@pytest.mark.parametrize("low, high, phone", [
    (None, "10", True), (None, "9.99", False), ("25", None, True), ("30", None, True), ("30.01", None, False),
    ("25", "35", True), ("11", "29.99", False), ("5", "15", True), ("10", "30", True)])
@pytest.mark.parametrize("scope", ["q", "category", "subtree"])
def test_price_filters_match_when_any_variant_matches(client, shelf, low, high, phone, scope):
    query = {"q": {"q": shelf["w"]}, "category": {"category_id": shelf["ids"]["Phones"]},
             "subtree": {"category_id": shelf["ids"]["Top"]}}[scope]
    if low:
        query["min_price"] = low
    if high:
        query["max_price"] = high
    ids, total = _ids(client, **query)
    case = scope != "category" and (low is None or float(low) <= 20) and (high is None or float(high) >= 20)
    expected = {shelf["phone"]} if phone else set()
    expected |= {shelf["case"]} if case else set()
    assert set(ids) == expected and total == len(expected)
    assert len(ids) == len(set(ids))  # never listed twice


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "newest", "name"])
def test_sorted_pages_with_a_price_filter_list_each_match_once(client, shelf, sort):
    # min_price 15: the case by its own price (branch one), the phone by its 30.00 variant (branch two).
    for query in ({"category_id": shelf["ids"]["Top"]}, {"q": shelf["w"]}):
        ids, total = _ids(client, **query, min_price="15", sort=sort)
        assert sorted(ids) == sorted([shelf["phone"], shelf["case"]]) and total == 2
        if sort == "price_asc":  # ordered by the lowest variant price, as listed
            assert ids == [shelf["phone"], shelf["case"]]
        ids, _ = _ids(client, **query, min_price="15", sort=sort, per_page=1, page=2)
        assert len(ids) == 1


def test_in_stock_counts_any_variant(client, services, shelf):
    assert shelf["phone"] in _ids(client, q=shelf["w"], in_stock="true")[0]
    services.variants.update_variant(SYSTEM, shelf["phone"], shelf["big"]["id"], {"stock": 0})
    assert shelf["phone"] not in _ids(client, q=shelf["w"], in_stock="true")[0]


def test_filters_follow_offers_and_variant_changes(client, services, shelf):
    now = services.products.now()
    offer(services, now, percent="50", product_id=shelf["phone"])  # 10.00 -> 5.00, 30.00 -> 15.00
    category = shelf["ids"]["Phones"]
    assert _ids(client, category_id=category, min_price="25")[0] == []
    assert _ids(client, category_id=category, min_price="14", max_price="16")[0] == [shelf["phone"]]
    item = client.get("/api/v1/products", query_string={"category_id": category}).get_json()["items"][0]
    assert (item["price"], item["sale_price"]) == ("10.00", "5.00")
    # A new cheaper variant changes the lowest price at once (the same transaction refreshes the caches).
    variant(services, shelf["phone"], {"Storage": "64 GB"}, stock=1, price="8.00")
    item = client.get("/api/v1/products", query_string={"category_id": category}).get_json()["items"][0]
    assert (item["price"], item["sale_price"], item["stock"]) == ("8.00", "4.00", 3)
    assert _ids(client, category_id=category, max_price="4")[0] == [shelf["phone"]]
    # The product's own price moves the variants without a price of their own.
    no_price = variant(services, shelf["phone"], {"Storage": "512 GB"}, stock=1)
    services.products.update_product(SYSTEM, shelf["phone"], {"price": Decimal("60.00")})
    assert _ids(client, category_id=category, min_price="29", max_price="31")[0] == [shelf["phone"]]
    detail = client.get(f"/api/v1/products/{shelf['phone']}").get_json()
    assert next(v for v in detail["variants"] if v["id"] == no_price["id"])["sale_price"] == "30.00"


def test_a_product_whose_variants_are_all_gone_lists_as_simple(client, services, shelf):
    for made in (shelf["small"], shelf["big"]):
        services.variants.delete_variant(SYSTEM, shelf["phone"], made["id"])
    item = client.get("/api/v1/products", query_string={"category_id": shelf["ids"]["Phones"]}).get_json()["items"][0]
    assert (item["price"], item["stock"], item["in_stock"], item["has_variants"]) == ("99.00", 0, False, False)
    assert _ids(client, category_id=shelf["ids"]["Phones"], min_price="99")[0] == [shelf["phone"]]


@pytest.mark.parametrize("low, high", [("25", None), ("25", "35"), ("5", "15")])
def test_too_many_variant_hits_are_left_to_the_statement(client, shelf, monkeypatch, low, high):
    # Beyond VARIANT_HITS_MAX looked-up ids the statement finds them itself: the same answer.
    query = {"category_id": shelf["ids"]["Top"], "min_price": low, **({"max_price": high} if high else {})}
    listed = _ids(client, **query)
    monkeypatch.setattr(products, "VARIANT_HITS_MAX", 0)
    assert _ids(client, **query) == listed and shelf["phone"] in listed[0]
