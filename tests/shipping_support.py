"""Shipping methods and tax rates for tests. They are shop-wide (with one method configured, every order needs
one), so each test using them starts and ends with none: `clean_shipping_and_tax` (autouse it in the module)."""
from __future__ import annotations

import pytest

BASE = "/api/v1"


def _clear(db) -> None:
    with db.cursor() as cur:
        cur.execute("DELETE FROM shipping_methods")
        cur.execute("DELETE FROM tax_rates")


@pytest.fixture
def clean_shipping_and_tax(db):
    """No shipping method or tax rate before the test, none left after it (other tests expect the flat rule)."""
    _clear(db)
    yield
    _clear(db)


def method_body(**overrides) -> dict:
    return {"name": "Standard", "price": "4.00", "free_from": None, "countries": ["GB"], "min_days": 2,
            "max_days": 4, **overrides}


def add_method(client, admin, **overrides) -> dict:
    response = client.post(f"{BASE}/shipping-methods", json=method_body(**overrides), headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def add_rate(client, admin, country: str, rate: str) -> dict:
    response = client.post(f"{BASE}/tax-rates", json={"country": country, "rate": rate}, headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()
