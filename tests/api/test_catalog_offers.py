"""Offers: active only inside their window, the best one wins, price filters and sorts use the price paid."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backend.clock import utcnow
from backend.context import SYSTEM
from backend.repositories.products import Criteria, ProductRepository
from backend.services.products import _price_page
from tests.catalog_support import names, offer, product, tree, word
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import ADDRESS, GOOD_CARD


@pytest.fixture
def goods(services):
    w = word()
    ids = tree(services, {"Dept": {"Aisle": {}}})
    return w, ids, product(services, f"{w} Kettle", "100.00", 5, ids["Aisle"])


def _sale(client, product_id):
    return client.get(f"/api/v1/products/{product_id}").get_json()["sale_price"]


def test_offer_applies_only_inside_its_window(client, services, travel, goods):
    _, _, kettle = goods
    now = utcnow()
    offer(services, now, percent="20", product_id=kettle["id"], starts=timedelta(days=1), ends=timedelta(days=3))
    assert _sale(client, kettle["id"]) is None  # not started
    travel(timedelta(days=2))
    assert _sale(client, kettle["id"]) == "80.00"
    travel(timedelta(days=2))
    assert _sale(client, kettle["id"]) is None  # ended


def test_category_offer_reaches_descendants_and_the_best_offer_wins(client, services, goods):
    _, ids, kettle = goods
    now = utcnow()
    offer(services, now, percent="10", product_id=kettle["id"])
    assert _sale(client, kettle["id"]) == "90.00"
    best = offer(services, now, amount="25", category_id=ids["Dept"])  # on an ancestor category
    body = client.get(f"/api/v1/products/{kettle['id']}").get_json()
    assert body["sale_price"] == "75.00" and body["offer"]["id"] == best["id"]
    assert body["offer"]["amount_off"] == "25.00" and body["offer"]["percent_off"] is None
    listed = client.get(f"/api/v1/products?category_id={ids['Aisle']}").get_json()["items"][0]
    assert (listed["price"], listed["sale_price"]) == ("100.00", "75.00")


def test_price_filter_and_sort_use_the_sale_price_and_follow_time(client, services, travel, goods):
    w, ids, kettle = goods
    cheap = product(services, f"{w} Spoon", "60.00", 5, ids["Aisle"])
    offer(services, utcnow(), percent="50", product_id=kettle["id"], ends=timedelta(days=2))
    base = f"/api/v1/products?category_id={ids['Dept']}"
    assert names(client.get(f"{base}&max_price=55").get_json()) == [f"{w} Kettle"]
    assert names(client.get(f"{base}&sort=price_asc").get_json()) == [f"{w} Kettle", f"{w} Spoon"]
    travel(timedelta(days=3))  # the offer has ended: the cached price follows
    assert names(client.get(f"{base}&max_price=55").get_json()) == []
    assert names(client.get(f"{base}&sort=price_asc").get_json()) == [f"{w} Spoon", f"{w} Kettle"]
    assert cheap["sale_price"] is None


def test_offer_crud_and_sale_price_follow(client, make_user, goods):
    _, _, kettle = goods
    headers = make_user("product_manager")["headers"]
    now = utcnow()
    body = {"name": "Spring sale", "percent_off": "15", "product_id": kettle["id"],
            "starts_at": (now - timedelta(hours=1)).isoformat() + "Z",
            "ends_at": (now + timedelta(days=1)).isoformat() + "Z"}
    created = client.post("/api/v1/offers", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    made = created.get_json()
    assert made["active"] is True and made["percent_off"] == "15.00" and made["ends_at"].endswith("Z")
    assert created.headers["Location"].endswith(f"/api/v1/offers/{made['id']}")
    assert _sale(client, kettle["id"]) == "85.00"
    changed = client.patch(f"/api/v1/offers/{made['id']}", json={"percent_off": None, "amount_off": 30},
                           headers=headers)
    assert changed.status_code == 200 and changed.get_json()["amount_off"] == "30.00"
    assert _sale(client, kettle["id"]) == "70.00"
    listed = client.get("/api/v1/offers?per_page=100", headers=headers).get_json()
    assert made["id"] in [o["id"] for o in listed["items"]]
    assert client.delete(f"/api/v1/offers/{made['id']}", headers=headers).status_code == 204
    assert _sale(client, kettle["id"]) is None
    assert_error(client.get(f"/api/v1/offers/{made['id']}", headers=headers), 404, "not_found")


@pytest.mark.parametrize("change, field", [
    ({"percent_off": "10", "amount_off": "5"}, "percent_off"),
    ({"percent_off": None}, "percent_off"),
    ({"percent_off": "150"}, "percent_off"),
    ({"percent_off": "0"}, "percent_off"),
    ({"percent_off": "100"}, "percent_off"),  # would make the product free
    ({"amount_off": "-5", "percent_off": None}, "amount_off"),
    ({"category_id": 1}, "product_id"),
    ({"product_id": None}, "product_id"),
    ({"product_id": 999_999_999}, "product_id"),
    ({"ends_at": "2020-01-01T00:00:00Z"}, "ends_at"),
    ({"starts_at": "yesterday"}, "starts_at"),
    ({"name": ""}, "name"),
])
def test_offer_validation_names_the_field(client, make_user, goods, change, field):
    _, _, kettle = goods
    body = {"name": "Bad", "percent_off": "10", "product_id": kettle["id"],
            "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-02-01T00:00:00Z", **change}
    response = client.post("/api/v1/offers", json=body, headers=make_user("product_manager")["headers"])
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"]


def test_offer_permissions(client, make_user, goods):
    _, _, kettle = goods
    body = {"name": "x", "percent_off": "10", "product_id": kettle["id"],
            "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-02-01T00:00:00Z"}
    assert_error(client.get("/api/v1/offers"), 401, "unauthenticated")
    assert_error(client.post("/api/v1/offers", json=body), 401, "unauthenticated")
    customer = make_user("customer")["headers"]
    assert_error(client.get("/api/v1/offers", headers=customer), 403, "forbidden")
    assert_error(client.post("/api/v1/offers", json=body, headers=customer), 403, "forbidden")
    supervisor = make_user("supervisor")["headers"]
    assert client.get("/api/v1/offers", headers=supervisor).status_code == 200
    assert_error(client.post("/api/v1/offers", json=body, headers=supervisor), 403, "forbidden")
    assert client.post("/api/v1/offers", json=body, headers=make_user("admin")["headers"]).status_code == 201


def _offer_body(**fields):
    return {"name": "Sale", "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-02-01T00:00:00Z", **fields}


def _offers_on(db, product_id):
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM offers WHERE product_id = %s", (product_id,))
        return cur.fetchone()["n"]


def test_every_offer_problem_is_named_at_once(client, make_user, services, goods):
    _, _, kettle = goods
    headers = make_user("product_manager")["headers"]
    body = _offer_body(name="", percent_off="10", amount_off="5", product_id=kettle["id"],
                       ends_at="2029-01-01T00:00:00Z")
    error = assert_error(client.post("/api/v1/offers", json=body, headers=headers), 422, "validation_error")
    assert set(error["fields"]) == {"name", "percent_off", "amount_off", "ends_at"}
    # A value failing its own check is named for that alone, not also as missing.
    error = assert_error(client.post("/api/v1/offers", json=_offer_body(percent_off="150", product_id=kettle["id"]),
                                     headers=headers), 422, "validation_error")
    assert error["fields"] == {"percent_off": ["Must be greater than or equal to 0.01 and less than 100."]}
    # A change is checked whole by the service: the rules across fields and those needing the database together.
    made = offer(services, utcnow(), percent="10", product_id=kettle["id"])
    error = assert_error(client.patch(f"/api/v1/offers/{made['id']}", headers=headers, json={
        "product_id": 999_999_999, "starts_at": "2030-03-01T00:00:00Z", "ends_at": "2030-02-01T00:00:00Z"}),
        422, "validation_error")
    assert set(error["fields"]) == {"product_id", "ends_at"}


@pytest.mark.parametrize("amount", ["999999999", "1036.99", "1037.00"])
def test_a_product_offer_at_or_above_the_price_is_refused(client, make_user, services, db, amount):
    desk = product(services, f"{word()} Desk", "1036.99")
    response = client.post("/api/v1/offers", json=_offer_body(amount_off=amount, product_id=desk["id"]),
                           headers=make_user("product_manager")["headers"])
    error = assert_error(response, 422, "validation_error")
    assert error["fields"] == {"amount_off": ["Must leave a price above zero; the product costs 1036.99."]}
    assert _offers_on(db, desk["id"]) == 0


def test_an_offer_cannot_be_changed_into_a_free_product(client, make_user, services, goods):
    _, _, kettle = goods
    headers = make_user("product_manager")["headers"]
    made = offer(services, utcnow(), amount="99.99", product_id=kettle["id"])
    assert _sale(client, kettle["id"]) == "0.01"
    error = assert_error(client.patch(f"/api/v1/offers/{made['id']}", json={"amount_off": "100"}, headers=headers),
                         422, "validation_error")
    assert set(error["fields"]) == {"amount_off"}
    assert client.get(f"/api/v1/offers/{made['id']}", headers=headers).get_json()["amount_off"] == "99.99"
    # A product made cheaper than its offer simply loses it: the list price is what it costs.
    services.products.update_product(SYSTEM, kettle["id"], {"price": Decimal("80.00")})
    assert _sale(client, kettle["id"]) is None


def test_a_category_offer_skips_products_it_would_make_free(client, services, make_user):
    w = word()
    ids = tree(services, {"Shop": {}})
    cheap = product(services, f"{w} Pencil", "30.00", 5, ids["Shop"])
    even = product(services, f"{w} Ruler", "50.00", 5, ids["Shop"])
    dear = product(services, f"{w} Globe", "100.00", 5, ids["Shop"])
    offer(services, utcnow(), amount="50", category_id=ids["Shop"])
    listed = client.get(f"/api/v1/products?category_id={ids['Shop']}&sort=price_asc").get_json()["items"]
    assert [(i["id"], i["price"], i["sale_price"]) for i in listed] == [
        (cheap["id"], "30.00", None), (even["id"], "50.00", None), (dear["id"], "100.00", "50.00")]
    assert names(client.get(f"/api/v1/products?category_id={ids['Shop']}&max_price=0").get_json()) == []
    # The order is for the merchandise, never only its shipping.
    buyer = make_user()
    client.post("/api/v1/cart/items", json={"product_id": cheap["id"], "quantity": 1}, headers=buyer["headers"])
    placed = client.post("/api/v1/orders", json={"shipping_address": ADDRESS, "payment": GOOD_CARD},
                         headers={**buyer["headers"], "Idempotency-Key": uid()})
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    assert (order["subtotal"], order["discount_total"], order["shipping"], order["total"]) == \
        ("30.00", "0.00", "4.99", "34.99")


def test_listing_prices_from_offers_read_in_its_own_statement(client, services, goods):
    # The page statement brings each row's active offers; a list cut at GROUP_CONCAT's limit is looked
    # up separately, and both ways give the detail's price.
    _, ids, kettle = goods
    now = utcnow()
    for percent in ("3", "5", "7"):
        offer(services, now, percent=percent, product_id=kettle["id"])
    offer(services, now, percent="12.5", category_id=ids["Dept"])
    offer(services, now, percent="50", category_id=ids["Dept"], starts=timedelta(days=1), ends=timedelta(days=2))
    aisle = Criteria(category_ids=[ids["Aisle"]])
    with services.db.uow() as uow:
        rows, _ = ProductRepository(uow.conn).list_page(aisle, 24, 0, offers_at=now)
        assert [sorted(o["percent_off"] for o in row["active_offers"]) for row in rows] == [
            [Decimal("3.00"), Decimal("5.00"), Decimal("7.00"), Decimal("12.50")]]
        with uow.conn.cursor() as cur:
            cur.execute("SELECT @@SESSION.group_concat_max_len AS n")
            limit = cur.fetchone()["n"]
            cur.execute("SET SESSION group_concat_max_len = 16")
            try:
                cut, _ = ProductRepository(uow.conn).list_page(aisle, 24, 0, offers_at=now)
                assert [row["active_offers"] for row in cut] == [None]
                assert [row["sale_price"] for row in _price_page(uow.conn, cut, now)] == [Decimal("87.50")]
            finally:
                cur.execute("SET SESSION group_concat_max_len = %s", (limit,))
    listed = client.get(f"/api/v1/products?category_id={ids['Aisle']}").get_json()["items"][0]
    assert listed["sale_price"] == _sale(client, kettle["id"]) == "87.50"
