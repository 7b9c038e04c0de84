"""The hot-path builders give exactly the JSON the marshmallow schemas give (they replace them on GET)."""
from __future__ import annotations

import json
from decimal import Decimal

from backend.schemas.categories import CategoryNodeSchema, dump_category_tree
from backend.schemas.products import ProductPageSchema, dump_product_page


def _row(n: int, price: str, sale: str | None, stock: int, category_id: int | None) -> dict:
    # The row shape the service hands the route: extra keys (offer, created_at, unit_price) are not in the item.
    return {"id": n, "name": f"Walnut Chair {n} “quoted” \u00e9", "slug": f"walnut-chair-{n}", "price": Decimal(price),
            "sale_price": Decimal(sale) if sale is not None else None, "unit_price": Decimal(sale or price),
            "currency": "USD", "stock": stock, "in_stock": stock > 0, "category_id": category_id,
            "image_url": "" if n % 2 else f"/media/{n}.webp", "offer": None, "created_at": None,
            "has_variants": n % 3 == 0}


def test_product_page_equals_the_schema():
    prices = [("0.00", None), ("12", "10.8"), ("1999.99", "0.00"), ("5.005", "5.015"), ("9999999999.99", None),
              ("0.1", "0.125")]
    page = {"items": [_row(n, p, s, n % 3 * 4, n if n % 4 else None) for n, (p, s) in enumerate(prices, 1)],
            "page": 3, "per_page": 6, "total": 1000, "pages": 167, "total_capped": True}
    fast = dump_product_page(page)
    assert fast == ProductPageSchema().dump(page)
    assert json.dumps(fast) == json.dumps(ProductPageSchema().dump(page))  # the same keys in the same order
    assert fast["items"][3]["price"] == "5.00" and fast["items"][3]["sale_price"] == "5.02"  # half-even, as Money
    assert fast["items"][0]["sale_price"] is None and fast["total_capped"] is True


def test_empty_page_equals_the_schema():
    page = {"items": [], "page": 9, "per_page": 24, "total": 0, "pages": 0, "total_capped": False}
    assert json.dumps(dump_product_page(page)) == json.dumps(ProductPageSchema().dump(page))


def test_category_tree_equals_the_schema():
    leaf = {"id": 4, "name": "Chairs", "slug": "chairs", "parent_id": 3, "children": []}
    tree = [{"id": 1, "name": "Books", "slug": "books", "parent_id": None, "children": []},
            {"id": 2, "name": "Home", "slug": "home", "parent_id": None, "children": [
                {"id": 3, "name": "Furniture", "slug": "furniture", "parent_id": 2, "children": [leaf]}]}]
    fast = dump_category_tree(tree)
    assert json.dumps(fast) == json.dumps(CategoryNodeSchema(many=True).dump(tree))
    assert fast[1]["children"][0]["children"][0] == {"id": 4, "name": "Chairs", "slug": "chairs", "children": []}


def test_page_offers_parse_and_a_cut_list_asks_for_a_lookup():
    from backend.repositories.products import parse_page_offers
    assert parse_page_offers(None, 1024) == []
    assert parse_page_offers("3 10.00 ,7  2.50", 1024) == [
        {"id": 3, "percent_off": Decimal("10.00"), "amount_off": None},
        {"id": 7, "percent_off": None, "amount_off": Decimal("2.50")}]
    assert parse_page_offers("3 10.00 ,7  2.50", 16) is None  # GROUP_CONCAT stopped at its limit
