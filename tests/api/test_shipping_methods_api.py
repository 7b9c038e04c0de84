"""Shipping methods: admin CRUD (countries or ["*"], field rules), permissions, audit, and the public list by
country (its own code or "*", cheapest first)."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error
from tests.shipping_support import BASE, add_method, clean_shipping_and_tax, method_body  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_shipping_and_tax")
URL = f"{BASE}/shipping-methods"


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _fields(response) -> dict:
    return assert_error(response, 422, "validation_error")["fields"]


def test_create_answers_the_method_with_location_sorted_countries_and_lists_it(client, admin):
    response = client.post(URL, json=method_body(name="Express", price="9.50", free_from="100.00",
                                                  countries=["us", "GB", "gb", "DE"], min_days=1, max_days=2),
                           headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/shipping-methods/{body['id']}")
    assert {k: body[k] for k in ("name", "price", "free_from", "countries", "min_days", "max_days")} == {
        "name": "Express", "price": "9.50", "free_from": "100.00", "countries": ["DE", "GB", "US"],
        "min_days": 1, "max_days": 2}
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")
    listed = client.get(URL, headers=admin["headers"])
    assert listed.status_code == 200 and listed.get_json() == [body]
    assert client.get(f"{URL}/{body['id']}", headers=admin["headers"]).get_json() == body


def test_everywhere_method_and_patch_keeps_what_is_not_sent(client, admin):
    method = add_method(client, admin, countries=["*"], free_from="50.00")
    assert method["countries"] == ["*"]
    response = client.patch(f"{URL}/{method['id']}", json={"price": "3.25", "free_from": None},
                            headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["price"], body["free_from"], body["countries"]) == ("Standard", "3.25", None, ["*"])
    body = client.patch(f"{URL}/{method['id']}", json={"countries": ["FR", "IE"]}, headers=admin["headers"]).get_json()
    assert body["countries"] == ["FR", "IE"] and body["price"] == "3.25"


def test_delete_answers_204_then_404(client, admin):
    method = add_method(client, admin)
    assert client.delete(f"{URL}/{method['id']}", headers=admin["headers"]).status_code == 204
    assert_error(client.delete(f"{URL}/{method['id']}", headers=admin["headers"]), 404, "not_found")
    assert_error(client.patch(f"{URL}/{method['id']}", json={"price": "1.00"}, headers=admin["headers"]),
                 404, "not_found")
    assert client.get(URL, headers=admin["headers"]).get_json() == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"countries": ["XX"]}, "countries"),
    ({"countries": ["GB", 7]}, "countries"),
    ({"countries": ["GB", "United Kingdom"]}, "countries"),
    ({"countries": "GB"}, "countries"),
    ({"countries": []}, "countries"),
    ({"countries": ["*", "GB"]}, "countries"),
    ({"price": "-1.00"}, "price"),
    ({"price": -1}, "price"),
    ({"free_from": "-5"}, "free_from"),
    ({"min_days": 5, "max_days": 3}, "max_days"),
    ({"max_days": 366}, "max_days"),
    ({"name": "  "}, "name"),
])
def test_bad_methods_are_422_naming_the_field(client, admin, changes, field):
    fields = _fields(client.post(URL, json=method_body(**changes), headers=admin["headers"]))
    assert set(fields) == {field}, fields


def test_unknown_countries_are_named_by_their_place_in_the_list(client, admin):
    fields = _fields(client.post(URL, json=method_body(countries=["GB", "XX", "fr", "Q"]), headers=admin["headers"]))
    assert fields == {"countries": ['Use two-letter ISO 3166-1 country codes such as GB, or "*" (items 2, 4).']}


def test_patch_is_checked_as_the_merged_method(client, admin):
    method = add_method(client, admin, min_days=2, max_days=4)
    assert set(_fields(client.patch(f"{URL}/{method['id']}", json={"min_days": 5},
                                    headers=admin["headers"]))) == {"max_days"}
    assert set(_fields(client.patch(f"{URL}/{method['id']}", json={"countries": ["*", "FR"]},
                                    headers=admin["headers"]))) == {"countries"}
    assert set(_fields(client.patch(f"{URL}/{method['id']}", json={"countries": ["ZZ"]},
                                    headers=admin["headers"]))) == {"countries"}
    assert client.get(f"{URL}/{method['id']}", headers=admin["headers"]).get_json()["min_days"] == 2


@pytest.mark.parametrize("role", ["customer", "product_manager", "operator"])
def test_only_admins_write_and_supervisors_read(client, make_user, admin, role):
    method = add_method(client, admin)
    other = make_user(role)
    assert_error(client.get(URL, headers=other["headers"]), 403, "forbidden")
    assert_error(client.post(URL, json=method_body(), headers=other["headers"]), 403, "forbidden")
    assert_error(client.delete(f"{URL}/{method['id']}", headers=other["headers"]), 403, "forbidden")


def test_supervisor_reads_but_changes_nothing(client, make_user, admin):
    method = add_method(client, admin)
    supervisor = make_user("supervisor")
    assert client.get(URL, headers=supervisor["headers"]).get_json() == [method]
    assert_error(client.post(URL, json=method_body(), headers=supervisor["headers"]), 403, "forbidden")
    assert_error(client.patch(f"{URL}/{method['id']}", json={"price": "1.00"}, headers=supervisor["headers"]),
                 403, "forbidden")
    assert_error(client.delete(f"{URL}/{method['id']}", headers=supervisor["headers"]), 403, "forbidden")
    assert_error(client.get(URL), 401, "unauthenticated")


def test_admin_writes_are_audited(client, admin):
    method = add_method(client, admin, name="Audited")
    client.patch(f"{URL}/{method['id']}", json={"price": "2.00"}, headers=admin["headers"])
    client.delete(f"{URL}/{method['id']}", headers=admin["headers"])
    events = client.get(f"{BASE}/admin/audit?actor_id={admin['id']}&per_page=10",
                        headers=admin["headers"]).get_json()["items"]
    assert [(e["action"], e["target_type"], e["target_id"]) for e in events] == [
        ("shipping_method.deleted", "shipping_method", str(method["id"])),
        ("shipping_method.updated", "shipping_method", str(method["id"])),
        ("shipping_method.created", "shipping_method", str(method["id"]))]
    assert events[1]["details"] == {"price": "2.00"} and events[0]["details"] == {"name": "Audited"}


def test_public_list_serves_the_country_and_everywhere_cheapest_first(client, admin):
    express = add_method(client, admin, name="Express", price="9.00", countries=["GB", "FR"])
    world = add_method(client, admin, name="World", price="6.00", countries=["*"])
    add_method(client, admin, name="Germany only", price="1.00", countries=["DE"])
    standard = add_method(client, admin, name="Standard", price="6.00", countries=["GB"])
    response = client.get(f"{BASE}/shipping/methods?country=gb")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [m["id"] for m in body] == [world["id"], standard["id"], express["id"]]  # price, then id
    assert body[2] == {k: express[k] for k in ("id", "name", "price", "free_from", "countries", "min_days",
                                                 "max_days")}
    assert [m["name"] for m in client.get(f"{BASE}/shipping/methods?country=JP").get_json()] == ["World"]
    # The country as an address gives it: a name or a usual alias prices the same as the code.
    for name in ("United%20Kingdom", "uk", "england"):
        assert [m["id"] for m in client.get(f"{BASE}/shipping/methods?country={name}").get_json()] == \
            [m["id"] for m in body]


@pytest.mark.parametrize("query", ["", "?country=", "?country=XX", "?country=Narnia", "?country=*"])
def test_public_list_needs_a_known_country(client, query):
    fields = _fields(client.get(f"{BASE}/shipping/methods{query}"))
    assert set(fields) == {"country"}
