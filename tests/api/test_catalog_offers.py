"""Offers: active only inside their window, the best one wins, price filters and sorts use the price paid."""
from __future__ import annotations

from datetime import timedelta

import pytest

from backend.clock import utcnow
from tests.catalog_support import names, offer, product, tree, word
from tests.helpers import assert_error


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
