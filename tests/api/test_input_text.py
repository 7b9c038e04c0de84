"""Text that JSON or a URL can carry but no column can store (a lone UTF-16 surrogate, bytes that are not
UTF-8) is a 422 naming the field, for every body and query string, and nothing is stored."""
from __future__ import annotations

import pytest

from tests.accounts_support import STRONG_PASSWORD
from tests.catalog_support import product, word
from tests.conftest import uid
from tests.helpers import assert_error
from tests.orders_support import ADDRESS, GOOD_CARD, add_product

LONE = "\ud800"  # valid JSON ("\ud800"), not valid Unicode text
# Every table a write of these endpoints could touch: their row counts must not move on a 422.
TABLES = ("users", "sessions", "pending_registrations", "one_time_codes", "password_reset_tokens", "addresses",
          "categories", "products", "offers", "orders", "payments", "idempotency_keys", "email_outbox",
          "audit_log", "cart_items")
OFFER = {"name": "Sale", "percent_off": "10", "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-02-01T00:00:00Z"}

# (method, path, role, body, the field named). Each body is valid but for the one bad string.
CASES = [
    ("post", "/auth/login", None, {"login": f"ada{LONE}", "password": "whatever-it-is"}, "login"),
    ("post", "/auth/login", None, {"login": "ada", "password": f"pw{LONE}pw"}, "password"),
    ("post", "/auth/register", None, {"email": "{email}", "username": "{username}", "password": STRONG_PASSWORD,
                                      "full_name": f"Ada {LONE}"}, "full_name"),
    ("post", "/auth/register", None, {"email": "{email}", "username": "{username}",
                                      "password": f"{STRONG_PASSWORD}{LONE}"}, "password"),
    ("post", "/auth/register/verify", None, {"email": f"a{LONE}@example.test", "code": "123456"}, "email"),
    ("post", "/auth/otp", None, {"email": f"{LONE}@example.test"}, "email"),
    ("post", "/auth/otp/verify", None, {"email": "{email}", "code": f"12345{LONE}"}, "code"),
    ("post", "/auth/password/forgot", None, {"email": f"{LONE}@example.test"}, "email"),
    ("post", "/auth/password/reset", None, {"token": f"{'t' * 20}{LONE}", "password": STRONG_PASSWORD}, "token"),
    ("post", "/auth/password/reset", None, {"token": "t" * 30, "password": f"{STRONG_PASSWORD}{LONE}"}, "password"),
    ("patch", "/account", "customer", {"full_name": f"Ada {LONE}"}, "full_name"),
    ("patch", "/account", "customer", {"username": f"ada{LONE}"}, "username"),
    ("post", "/account/password", "customer", {"current_password": "correct-horse-battery",
                                              "new_password": f"{STRONG_PASSWORD}{LONE}"}, "new_password"),
    ("post", "/account/addresses", "customer", {**ADDRESS, "line1": f"1 Main {LONE}St"}, "line1"),
    ("post", "/account/addresses", "customer", {**ADDRESS, "city": LONE}, "city"),
    ("post", "/products", "product_manager", {"name": f"Lamp {LONE}", "price": "1.00"}, "name"),
    ("post", "/products", "product_manager", {"name": "Lamp", "price": "1.00", "description": LONE}, "description"),
    ("post", "/categories", "product_manager", {"name": f"Lamps {LONE}"}, "name"),
    ("post", "/offers", "product_manager", {**OFFER, "name": f"Sale {LONE}", "product_id": "{product}"}, "name"),
    ("post", "/admin/users", "admin", {"email": "{email}", "username": "{username}", "password": STRONG_PASSWORD,
                                       "role": "customer", "full_name": LONE}, "full_name"),
    ("post", "/admin/mail/test", "admin", {"to": f"ops{LONE}@example.test"}, "to"),
    # Nested fields are named by their dotted path, as every other nested error is.
    ("post", "/orders", "buyer", {"shipping_address": {**ADDRESS, "full_name": LONE}, "payment": GOOD_CARD},
     "shipping_address.full_name"),
    ("post", "/orders", "buyer", {"shipping_address": ADDRESS, "payment": {**GOOD_CARD, "cardholder": f"A {LONE}"}},
     "payment.cardholder"),
    # A bad key is named too, with U+FFFD standing in for what cannot be shown.
    ("patch", "/account", "customer", {"full_name": "Ada", f"x{LONE}": 1}, "x\ufffd"),
]


def _fill(value, names):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _counts(db) -> dict[str, int]:
    with db.cursor() as cur:
        counts = {}
        for table in TABLES:  # our own literals
            cur.execute(f"SELECT COUNT(*) AS n FROM {table}")
            counts[table] = cur.fetchone()["n"]
        return counts


@pytest.mark.parametrize("method, path, role, body, field", CASES, ids=[f"{c[1]} {c[4]}" for c in CASES])
def test_unencodable_text_is_422_naming_the_field_and_nothing_is_stored(client, db, make_user, method, path,
                                                                       role, body, field):
    tag = uid()
    names = {"email": f"text-{tag}@example.test", "username": f"text_{tag}", "product": add_product(db)}
    headers = {}
    if role == "buyer":
        user = make_user()
        added = client.post("/api/v1/cart/items", json={"product_id": names["product"], "quantity": 1},
                            headers=user["headers"])
        assert added.status_code == 201
        headers = {**user["headers"], "Idempotency-Key": uid()}
    elif role:
        user = make_user(role)
        headers = user["headers"]
    before = _counts(db)
    response = getattr(client, method)("/api/v1" + path, json=_fill(body, names), headers=headers)
    error = assert_error(response, 422, "validation_error")
    assert error["fields"][field] == ["Must be valid text: no lone surrogates or bytes that are not UTF-8."]
    assert _counts(db) == before
    if path == "/account":
        assert client.get("/api/v1/account", headers=headers).get_json()["full_name"] == "Test User"


def test_every_bad_field_is_named_with_the_schemas_own_complaints(client):
    error = assert_error(client.post("/api/v1/auth/register", json={
        "email": "not-an-email", "username": f"ada{LONE}", "password": STRONG_PASSWORD, "full_name": LONE}),
        422, "validation_error")
    assert set(error["fields"]) == {"email", "username", "full_name"}
    assert error["fields"]["email"] == ["Enter a valid email address."]


def test_bad_items_of_a_list_are_named_each_as_a_flat_field(client, make_user):
    # The fields map is flat (field -> list of sentences): a list item is "user_ids.2", as a bad text in it is.
    admin = make_user("admin")
    error = assert_error(client.post("/api/v1/admin/users/bulk", headers=admin["headers"], json={
        "action": "block", "user_ids": [0, 5, "a", f"x{LONE}"]}), 422, "validation_error")
    assert error["fields"] == {"user_ids.0": ["Must be greater than or equal to 1."],
                               "user_ids.2": ["Not a valid integer."],
                               "user_ids.3": ["Must be valid text: no lone surrogates or bytes that are not UTF-8."]}


def test_a_body_with_bytes_that_are_not_utf8_names_the_field(client):
    body = b'{"login": "ada\xff", "password": "whatever-it-is"}'
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert set(assert_error(response, 422, "validation_error")["fields"]) == {"login"}
    broken = client.post("/api/v1/auth/login", data=b'{"login": "ada\xff', content_type="application/json")
    assert_error(broken, 400, "invalid_json")


@pytest.mark.parametrize("raw", [b"q=desk\xff", b"q=%ED%A0%80", b"q=%FF&sort=name", b"sort=name&q=a%C3"])
def test_query_text_that_is_not_utf8_is_422_naming_the_argument(client, raw):
    # Raw bytes in QUERY_STRING (as a WSGI server passes them) made request.args raise: a 500 before.
    response = client.get("/api/v1/products", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    assert assert_error(response, 422, "validation_error")["fields"] == {
        "q": ["Must be valid text: no lone surrogates or bytes that are not UTF-8."]}


def test_query_arguments_decode_as_before(client, services, make_user):
    # load_query decodes the query itself now: '+', %-escapes and the first of repeated keys, as werkzeug did.
    w = word()
    made = product(services, f"{w} Café lamp")
    query = f"q={w}+caf%C3%A9&q=ignored&sort=name&per_page=5"
    body = client.get("/api/v1/products", environ_overrides={"QUERY_STRING": query}).get_json()
    assert [item["id"] for item in body["items"]] == [made["id"]] and body["per_page"] == 5
    # An argument the endpoint does not take is ignored, whatever it holds.
    ignored = client.get("/api/v1/search/trending", environ_overrides={"QUERY_STRING": "utm=%FF&limit=3"})
    assert ignored.status_code == 200
    admin = make_user("admin")
    staff = client.get("/api/v1/admin/users", headers=admin["headers"], environ_overrides={"QUERY_STRING": "q=%FF"})
    assert set(assert_error(staff, 422, "validation_error")["fields"]) == {"q"}
