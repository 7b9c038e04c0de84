"""Tax rates: admin CRUD, one rate per country (409 duplicate_country), 0..100, permissions, audit."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error
from tests.shipping_support import BASE, add_rate, clean_shipping_and_tax  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_shipping_and_tax")
URL = f"{BASE}/tax-rates"


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def test_create_list_patch_delete(client, admin):
    response = client.post(URL, json={"country": "gb", "rate": "20"}, headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    gb = response.get_json()
    assert (gb["country"], gb["rate"]) == ("GB", "20.00")
    assert response.headers["Location"].endswith(f"/api/v1/tax-rates/{gb['id']}")
    de = add_rate(client, admin, "DE", "19.00")
    at = add_rate(client, admin, "AT", 20)
    assert [r["country"] for r in client.get(URL, headers=admin["headers"]).get_json()] == ["AT", "DE", "GB"]
    changed = client.patch(f"{URL}/{de['id']}", json={"rate": "7.5"}, headers=admin["headers"])
    assert changed.status_code == 200 and (changed.get_json()["country"], changed.get_json()["rate"]) == ("DE", "7.50")
    assert client.get(f"{URL}/{at['id']}", headers=admin["headers"]).get_json()["rate"] == "20.00"
    assert client.delete(f"{URL}/{at['id']}", headers=admin["headers"]).status_code == 204
    assert_error(client.delete(f"{URL}/{at['id']}", headers=admin["headers"]), 404, "not_found")
    assert [r["country"] for r in client.get(URL, headers=admin["headers"]).get_json()] == ["DE", "GB"]


@pytest.mark.parametrize(("body", "field"), [
    ({"country": "GB", "rate": "100.01"}, "rate"),
    ({"country": "GB", "rate": "-1"}, "rate"),
    ({"country": "GB", "rate": -0.5}, "rate"),
    ({"country": "GB", "rate": "20.005"}, "rate"),
    ({"country": "GB", "rate": "649"}, "rate"),
    ({"country": "GB", "rate": 100.5}, "rate"),
    ({"country": "XX", "rate": "20"}, "country"),
    ({"country": "United Kingdom", "rate": "20"}, "country"),
    ({"rate": "20"}, "country"),
])
def test_bad_rates_are_422_naming_the_field(client, admin, body, field):
    error = assert_error(client.post(URL, json=body, headers=admin["headers"]), 422, "validation_error")
    assert set(error["fields"]) == {field}


def test_a_second_rate_for_a_country_is_409_duplicate_country(client, admin):
    add_rate(client, admin, "FR", "20.00")
    error = assert_error(client.post(URL, json={"country": "fr", "rate": "5.5"}, headers=admin["headers"]),
                         409, "duplicate_country")
    assert set(error["fields"]) == {"country"}
    es = add_rate(client, admin, "ES", "21.00")
    assert_error(client.patch(f"{URL}/{es['id']}", json={"country": "FR"}, headers=admin["headers"]),
                 409, "duplicate_country")
    assert [(r["country"], r["rate"]) for r in client.get(URL, headers=admin["headers"]).get_json()] == [
        ("ES", "21.00"), ("FR", "20.00")]
    assert add_rate(client, admin, "IT", "100.00")["rate"] == "100.00"
    assert add_rate(client, admin, "HK", "0")["rate"] == "0.00"


@pytest.mark.parametrize("role", ["customer", "product_manager", "operator", "supervisor"])
def test_only_admins_write(client, make_user, admin, role):
    rate = add_rate(client, admin, "NL", "21.00")
    other = make_user(role)
    assert_error(client.post(URL, json={"country": "BE", "rate": "21"}, headers=other["headers"]), 403, "forbidden")
    assert_error(client.patch(f"{URL}/{rate['id']}", json={"rate": "1"}, headers=other["headers"]), 403, "forbidden")
    assert_error(client.delete(f"{URL}/{rate['id']}", headers=other["headers"]), 403, "forbidden")
    reading = client.get(URL, headers=other["headers"])
    if role == "supervisor":
        assert reading.get_json() == [rate]
    else:
        assert_error(reading, 403, "forbidden")


def test_admin_writes_are_audited(client, admin):
    rate = add_rate(client, admin, "PT", "23.00")
    client.patch(f"{URL}/{rate['id']}", json={"rate": "6"}, headers=admin["headers"])
    client.delete(f"{URL}/{rate['id']}", headers=admin["headers"])
    events = client.get(f"{BASE}/admin/audit?actor_id={admin['id']}&per_page=10",
                        headers=admin["headers"]).get_json()["items"]
    assert [(e["action"], e["target_id"]) for e in events] == [
        ("tax_rate.deleted", str(rate["id"])), ("tax_rate.updated", str(rate["id"])),
        ("tax_rate.created", str(rate["id"]))]
    assert events[2]["details"] == {"country": "PT", "rate": "23.00"} and events[0]["details"] == {"country": "PT"}
