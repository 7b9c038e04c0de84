"""The hot-path builders give exactly the JSON the marshmallow schemas give (they replace them on GET)."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from backend.schemas import variants as _variants  # noqa: F401  (registers the VariantSchema the detail names)
from backend.schemas.categories import CategoryNodeSchema, KeptTreeDump, dump_category_tree
from backend.schemas.products import ProductDetailSchema, ProductPageSchema, dump_product_detail, dump_product_page


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


_OFFERS = [None,
           {"id": 7, "name": "Spring “sale”", "percent_off": Decimal("12.50"), "amount_off": None, "category_id": 3,
            "starts_at": datetime(2026, 3, 1, 8, 30, 15, 123456), "ends_at": datetime(2026, 4, 1)},
           {"id": 9, "name": "Two off", "percent_off": None, "amount_off": Decimal("2"), "category_id": None,
            "starts_at": datetime(2026, 1, 1), "ends_at": datetime(2027, 1, 1)}]


def _variant(n: int, k: int, size: str) -> dict:
    # As services.variants.load_variants + present_variant give it (extra keys are not in the shape).
    return {"id": 100 + k, "product_id": n, "sku": f"SKU-{n}-{k}", "options": {"Size": size, "Colour": "Red"},
            "variant_label": f"{size} / Red", "price": Decimal("20") + k,
            "own_price": Decimal("21.5") if k else None, "sale_price": Decimal("18.005") if k % 2 else None,
            "unit_price": Decimal("18.01"), "offer": None, "currency": "USD", "stock": k * 2, "in_stock": k > 0}


def _image(k: int) -> dict:
    return {"id": 50 + k, "alt": f"Side {k} é", "position": k, "width": 1600, "height": 1200 - k,
            "urls": {"large": f"/media/l{k}.webp", "thumb": f"/media/t{k}.webp", "medium": f"/media/m{k}.webp"}}


def _detail(n: int) -> dict:
    """A product as ProductService.get_product hands it over, varied by n: offer, variants, images, path, Nones."""
    row = _row(n, ["0.00", "12", "1999.99", "5.005", "9999999999.99", "0.1"][n % 6],
               [None, "10.8", "0.125", None, "5.015", "0.00"][n % 6], n % 3 * 4, n if n % 4 else None)
    sizes = ["S", "M", "L"][: n % 4]
    path = [{"id": 1, "name": "Home", "slug": "home"}, {"id": n, "name": "Chairs", "slug": "chairs"}]
    row.update(description=f"Line one\nline “two” {n}" if n % 5 else "", offer=_OFFERS[n % 3],
               created_at=datetime(2026, 11, 28, 12, 0, n % 60, 999999 if n % 2 else 0),
               base_price=Decimal(["7", "8.5", "1999.999"][n % 3]), images=[_image(k) for k in range(n % 3)],
               category_path=path[: n % 3], variants=[_variant(n, k, size) for k, size in enumerate(sizes)],
               options=[{"name": "Size", "values": sizes}, {"name": "Colour", "values": ["Red"]}] if sizes else [])
    return row

def test_product_detail_equals_the_schema():
    for n in range(1, 25):
        product = _detail(n)
        fast = dump_product_detail(product)
        assert json.dumps(fast) == json.dumps(ProductDetailSchema().dump(product)), n
    fast = dump_product_detail(_detail(11))
    assert fast["offer"] == {"id": 9, "name": "Two off", "percent_off": None, "amount_off": "2.00",
                             "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}
    assert fast["variants"][0]["own_price"] is None and fast["variants"][1]["sale_price"] == "18.00"  # half-even
    assert fast["images"][1]["urls"] == {"thumb": "/media/t1.webp", "medium": "/media/m1.webp",
                                         "large": "/media/l1.webp"}
    assert fast["created_at"] == "2026-11-28T12:00:11Z" and fast["base_price"] == "2000.00"
    assert [v["sku"] for v in fast["variants"]] == ["SKU-11-0", "SKU-11-1", "SKU-11-2"]


def test_the_kept_tree_is_dumped_once_per_tree():
    dump = KeptTreeDump()
    tree = [{"id": 1, "name": "Books", "slug": "books", "parent_id": None, "children": []}]
    first = dump(tree)
    assert first == CategoryNodeSchema(many=True).dump(tree) and dump(tree) is first
    renamed = [{"id": 1, "name": "Novels", "slug": "novels", "parent_id": None, "children": []}]
    assert dump(renamed) == [{"id": 1, "name": "Novels", "slug": "novels", "children": []}]
    assert dump(tree) == first and dump(tree) is not first  # another tree in between: dumped again
