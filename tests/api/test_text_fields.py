"""Names and address lines refuse control characters and blanks with a 422 naming the field."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error

ADDRESS = {"full_name": "Ada L", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB"}


@pytest.mark.parametrize("method, path, role, body, field", [
    ("post", "/api/v1/categories", "product_manager", {"name": "Lamps\u0007"}, "name"),
    ("post", "/api/v1/categories", "product_manager", {"name": "   "}, "name"),
    ("post", "/api/v1/products", "product_manager", {"name": "Desk\u0000Lamp", "price": "1.00"}, "name"),
    ("post", "/api/v1/offers", "product_manager",
     {"name": "Sale\u009b", "percent_off": "10", "product_id": 1,
      "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2026-02-01T00:00:00Z"}, "name"),
    ("post", "/api/v1/account/addresses", "customer", {**ADDRESS, "line1": "1 Main\u001bSt"}, "line1"),
    ("patch", "/api/v1/account", "customer", {"full_name": "Ada\u0008"}, "full_name"),
])
def test_control_characters_are_refused(client, make_user, method, path, role, body, field):
    user = make_user(role)
    response = getattr(client, method)(path, json=body, headers=user["headers"])
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"]
