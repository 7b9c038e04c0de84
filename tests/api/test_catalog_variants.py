"""Variants through the API: create, change, delete or archive; the detail's options and variants; the rules."""
from __future__ import annotations

import json

import pytest

from backend.clock import utcnow
from backend.context import SYSTEM
from backend.schemas.products import ProductDetailSchema
from tests.catalog_support import offer, product, tree, variant
from tests.conftest import uid
from tests.helpers import assert_error
from tests.images_support import jpeg, png


@pytest.fixture
def staff(make_user):
    return make_user("product_manager")["headers"]


def _url(product_id: int, variant_id: int | None = None) -> str:
    return f"/api/v1/products/{product_id}/variants" + (f"/{variant_id}" if variant_id else "")


def _audit(db, variant_id):
    with db.cursor() as cur:
        cur.execute("SELECT action, details FROM audit_log WHERE target_type = 'variant' AND target_id = %s "
                    "ORDER BY id", (str(variant_id),))
        return [r["action"] for r in cur.fetchall()]


def test_create_variants_and_read_them_in_the_detail(client, services, staff, db):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    sku = f"TS-{uid()}"
    response = client.post(_url(shirt["id"]), headers=staff,
                           json={"sku": sku, "options": {"Size": "M", "Colour": "Red"}, "stock": 3})
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert response.headers["Location"].endswith(_url(shirt["id"], made["id"]))
    assert made == {"id": made["id"], "product_id": shirt["id"], "sku": sku, "options": {"Size": "M", "Colour": "Red"},
                    "variant_label": "M / Red", "price": "20.00", "own_price": None, "sale_price": None,
                    "currency": "USD", "stock": 3, "in_stock": True}
    # Names in the order first used, whatever order a later variant sends them in; its own price.
    second = client.post(_url(shirt["id"]), headers=staff, json={
        "sku": f"TS-{uid()}", "options": {"Colour": "Blue", "Size": "L"}, "price": "24.50", "stock": 0}).get_json()
    assert second["options"] == {"Size": "L", "Colour": "Blue"} and second["variant_label"] == "L / Blue"
    detail = client.get(f"/api/v1/products/{shirt['id']}").get_json()
    assert detail["options"] == [{"name": "Size", "values": ["M", "L"]}, {"name": "Colour", "values": ["Red", "Blue"]}]
    assert [(v["sku"], v["price"], v["stock"], v["in_stock"]) for v in detail["variants"]] == [
        (sku, "20.00", 3, True), (second["sku"], "24.50", 0, False)]
    # The product shows its lowest variant price and the sum of their stock.
    assert (detail["price"], detail["base_price"], detail["stock"], detail["in_stock"], detail["has_variants"]) == (
        "20.00", "20.00", 3, True, True)
    assert detail["has_variants"] is True and detail["in_stock"] is True
    assert _audit(db, made["id"]) == ["variant.create"]
    assert client.get(_url(shirt["id"], made["id"])).get_json()["sku"] == sku


def test_a_simple_product_has_no_options_or_variants(client, services):
    lamp = product(services, f"Lamp {uid()}", "10.00", 2)
    detail = client.get(f"/api/v1/products/{lamp['id']}").get_json()
    assert (detail["options"], detail["variants"], detail["price"]) == ([], [], "10.00")
    assert detail["has_variants"] is False


def test_duplicate_sku_or_combination_is_409(client, services, staff):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    first = variant(services, shirt["id"], {"Size": "M"})
    response = client.post(_url(shirt["id"]), headers=staff, json={"sku": first["sku"], "options": {"Size": "L"},
                                                                    "stock": 1})
    assert_error(response, 409, "duplicate_sku")
    assert "sku" in response.get_json()["error"]["fields"]
    response = client.post(_url(shirt["id"]), headers=staff, json={"sku": f"X-{uid()}", "options": {"size": "m"},
                                                                    "stock": 1})
    assert_error(response, 409, "duplicate_combination")
    assert "options" in response.get_json()["error"]["fields"]
    other = variant(services, shirt["id"], {"Size": "S"})
    assert_error(client.patch(_url(shirt["id"], other["id"]), headers=staff, json={"options": {"Size": "M"}}),
                 409, "duplicate_combination")
    assert_error(client.patch(_url(shirt["id"], other["id"]), headers=staff, json={"sku": first["sku"]}),
                 409, "duplicate_sku")


@pytest.mark.parametrize("options", [{"Colour": "Red"}, {"Size": "M", "Colour": "Red"}, {}, {"Size": " "},
                                     {"Size": "M", "size": "L"}, {"Size": 3}, ["Size"], {"A\u0007": "x"}])
def test_options_must_name_the_products_option_names(client, services, staff, options):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    variant(services, shirt["id"], {"Size": "S"})
    response = client.post(_url(shirt["id"]), headers=staff, json={"sku": f"X-{uid()}", "options": options,
                                                                    "stock": 1})
    assert_error(response, 422, "validation_error")
    assert list(response.get_json()["error"]["fields"]) == ["options"]


@pytest.mark.parametrize("body, field", [({"sku": "", "options": {"S": "M"}, "stock": 1}, "sku"),
                                         ({"sku": "a b", "options": {"S": "M"}, "stock": 1}, "sku"),
                                         ({"sku": "ok-1", "options": {"S": "M"}, "stock": -1}, "stock"),
                                         ({"sku": "ok-1", "options": {"S": "M"}}, "stock"),
                                         ({"sku": "ok-1", "options": {"S": "M"}, "stock": 1, "price": "-1"}, "price"),
                                         ({"options": {"S": "M"}, "stock": 1}, "sku")])
def test_variant_fields_are_validated(client, services, staff, body, field):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    response = client.post(_url(shirt["id"]), headers=staff, json=body)
    assert_error(response, 422, "validation_error")
    assert field in response.get_json()["error"]["fields"]


def test_patch_changes_price_stock_and_options(client, services, staff, db):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    made = variant(services, shirt["id"], {"Size": "M"}, stock=2)
    response = client.patch(_url(shirt["id"], made["id"]), headers=staff,
                            json={"price": "15.00", "stock": 7, "options": {"Size": "XL"}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["price"], body["own_price"], body["stock"], body["options"]) == ("15.00", "15.00", 7, {"Size": "XL"})
    detail = client.get(f"/api/v1/products/{shirt['id']}").get_json()
    assert (detail["price"], detail["stock"], detail["options"]) == ("15.00", 7, [{"name": "Size", "values": ["XL"]}])
    back = client.patch(_url(shirt["id"], made["id"]), headers=staff, json={"price": None}).get_json()
    assert (back["price"], back["own_price"]) == ("20.00", None)
    assert _audit(db, made["id"]) == ["variant.create", "variant.update", "variant.update"]


def test_unknown_or_another_products_variant_is_404(client, services, staff):
    shirt, cap = product(services, f"Shirt {uid()}", "20.00", 0), product(services, f"Cap {uid()}", "9.00", 0)
    cap_variant = variant(services, cap["id"], {"Colour": "Red"})
    for path in (_url(shirt["id"], cap_variant["id"]), _url(shirt["id"], 999_999_999)):
        assert_error(client.patch(path, headers=staff, json={"stock": 1}), 404, "not_found")
        assert_error(client.delete(path, headers=staff), 404, "not_found")
        assert_error(client.get(path), 404, "not_found")
    assert_error(client.post(_url(999_999_999), headers=staff, json={"sku": f"X-{uid()}", "options": {"A": "b"},
                                                                      "stock": 1}), 404, "not_found")


def test_delete_erases_an_unordered_variant(client, services, staff, db):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    made = variant(services, shirt["id"], {"Size": "M"}, stock=4)
    assert client.delete(_url(shirt["id"], made["id"]), headers=staff).status_code == 204
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM product_variants WHERE id = %s", (made["id"],))
        assert cur.fetchone()["n"] == 0
    detail = client.get(f"/api/v1/products/{shirt['id']}").get_json()
    # Its last variant gone, it is a simple product again, with no stock of its own.
    assert (detail["variants"], detail["options"], detail["has_variants"], detail["stock"]) == ([], [], False, 0)
    assert _audit(db, made["id"]) == ["variant.create", "variant.delete"]


def test_product_stock_of_a_product_with_variants_is_per_variant(client, services, staff):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    variant(services, shirt["id"], {"Size": "M"}, stock=4)
    response = client.patch(f"/api/v1/products/{shirt['id']}", headers=staff, json={"stock": 9})
    assert_error(response, 422, "validation_error")
    assert list(response.get_json()["error"]["fields"]) == ["stock"]
    # The product's price is what variants without their own follow.
    body = client.patch(f"/api/v1/products/{shirt['id']}", headers=staff, json={"price": "18.00"}).get_json()
    assert (body["price"], body["base_price"], body["variants"][0]["price"]) == ("18.00", "18.00", "18.00")


@pytest.mark.parametrize("role, status", [("customer", 403), ("operator", 403), ("supervisor", 403),
                                          ("product_manager", 201), ("admin", 201)])
def test_only_catalog_staff_write_variants(client, services, make_user, role, status):
    shirt = product(services, f"Shirt {uid()}", "20.00", 0)
    response = client.post(_url(shirt["id"]), headers=make_user(role)["headers"],
                           json={"sku": f"X-{uid()}", "options": {"Size": "M"}, "stock": 1})
    assert response.status_code == status
    assert client.post(_url(shirt["id"]), json={"sku": f"X-{uid()}", "options": {"Size": "M"},
                                                "stock": 1}).status_code == 401


def test_the_detail_as_served_is_the_schemas_dump(client, services):
    # The route answers with schemas.products.dump_product_detail: the same JSON as ProductDetailSchema, on real rows
    # (a category path, a category offer and a product offer, variants with and without their own price, images).
    ids = tree(services, {"Home": {"Chairs": {}}})
    now = utcnow()
    chair = product(services, f"Chair “{uid()}” é", "120.00", 0, ids["Chairs"], description="Oak.\nSeats two.")
    variant(services, chair["id"], {"Size": "S", "Finish": "Oak"}, stock=2)
    variant(services, chair["id"], {"Size": "L", "Finish": "Oak"}, stock=0, price="135.50")
    offer(services, now, percent="12.5", category_id=ids["Home"])
    services.images.add_image(SYSTEM, chair["id"], jpeg(64, 48), "Front")
    services.images.add_image(SYSTEM, chair["id"], png(30, 40), "")
    lamp = product(services, f"Lamp {uid()}", "9.99", 3)
    offer(services, now, amount="1.5", product_id=lamp["id"])
    for product_id in (chair["id"], lamp["id"]):
        response = client.get(f"/api/v1/products/{product_id}")
        assert response.status_code == 200
        expected = ProductDetailSchema().dump(services.products.get_product(product_id))
        assert json.dumps(response.get_json()) == json.dumps(expected)
    body = client.get(f"/api/v1/products/{chair['id']}").get_json()
    assert (body["offer"]["percent_off"], len(body["images"]), [v["price"] for v in body["variants"]]) == (
        "12.50", 2, ["120.00", "135.50"])
