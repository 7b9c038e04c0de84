"""The served OpenAPI document and the docs page."""
from __future__ import annotations

import re

from flask import Blueprint

from backend.app import create_app
from backend.openapi import build_spec, doc
from backend.routes.guard import requires
from backend.schemas.categories import CategorySchema, CategoryWriteSchema


def test_openapi_document_lists_the_routes_with_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["servers"] == [{"url": "/api/v1"}]
    listing = spec["paths"]["/products"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ProductPage"}
    assert {p["name"] for p in listing["parameters"]} >= {"page", "per_page"}
    assert "/products/{product_id}" in spec["paths"]
    assert "Error" in spec["components"]["schemas"]


def test_docs_page_is_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.data


# The endpoint table of the REST contract (every row the code implements), as "METHOD /path".
CONTRACT_ENDPOINTS = [line for line in """
GET /health
GET /openapi.json
POST /auth/register
POST /auth/register/verify
POST /auth/login
POST /auth/logout
GET /auth/me
POST /auth/otp
POST /auth/otp/verify
POST /auth/password/forgot
POST /auth/password/reset
GET /auth/sessions
DELETE /auth/sessions/{id}
GET /account
PATCH /account
POST /account/password
GET /account/addresses
POST /account/addresses
PATCH /account/addresses/{id}
DELETE /account/addresses/{id}
GET /products
GET /products/{id}
POST /products
PATCH /products/{id}
DELETE /products/{id}
GET /categories
POST /categories
PATCH /categories/{id}
DELETE /categories/{id}
GET /search/trending
GET /offers
POST /offers
PATCH /offers/{id}
DELETE /offers/{id}
GET /coupons
POST /coupons
GET /coupons/{id}
PATCH /coupons/{id}
DELETE /coupons/{id}
GET /cart
POST /cart/items
PATCH /cart/items/{product_id}
DELETE /cart/items/{product_id}
DELETE /cart
POST /cart/items/{product_id}/save
GET /saved
POST /saved/{product_id}/move-to-cart
DELETE /saved/{product_id}
POST /cart/coupon
DELETE /cart/coupon
GET /checkout/summary
POST /orders
GET /orders
GET /orders/{id}
POST /orders/{id}/cancel
GET /admin/orders
GET /admin/orders/{id}
POST /admin/orders/{id}/status
GET /admin/users
GET /admin/users/{id}
PATCH /admin/users/{id}
DELETE /admin/users/{id}
POST /admin/users/bulk
POST /admin/users/purge-inactive
POST /admin/mail/test
GET /admin/audit
GET /admin/backups
POST /admin/backups
POST /admin/backups/{id}/restore
GET /admin/stats
""".splitlines() if line]
_PATH_PARAM = re.compile(r"\{[^}]+\}")


def test_every_contract_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    # Path parameter names differ ({id} in the contract, {product_id} in the code): compare shapes.
    documented = {f"{method.upper()} {_PATH_PARAM.sub('{}', path)}"
                  for path, operations in spec["paths"].items() for method in operations}
    missing = [row for row in CONTRACT_ENDPOINTS if _PATH_PARAM.sub("{}", row) not in documented]
    assert not missing


def test_money_is_a_decimal_string_in_answers_and_a_string_or_number_in_requests(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    price = schemas["Product"]["properties"]["price"]
    assert price["type"] == "string" and price["format"] == "decimal"
    assert re.fullmatch(price["pattern"], "1299.00") and not re.fullmatch(price["pattern"], "1299.5")
    assert schemas["Product"]["properties"]["sale_price"]["nullable"] is True
    request_price = schemas["ProductWrite"]["properties"]["price"]
    assert [branch["type"] for branch in request_price["anyOf"]] == ["string", "number"]
    assert (request_price["minimum"], request_price["maximum"]) == (0, 9999999999.99)


def test_operations_declare_security_headers_and_the_common_statuses(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "cookie", "csrf"}
    paths = spec["paths"]
    place = paths["/orders"]["post"]
    assert place["security"] == [{"bearer": []}, {"cookie": [], "csrf": []}]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= place["parameters"][0].items()
    assert place["parameters"][0]["required"] is True
    assert set(place["responses"]) == {"201", "400", "401", "402", "403", "409", "413", "422", "503"}
    assert place["responses"]["201"]["headers"]["Location"]["required"] is True
    assert paths["/orders"]["get"]["security"] == [{"bearer": []}, {"cookie": []}]
    assert paths["/cart"]["get"]["security"][0] == {}  # a guest may call it
    assert "security" not in paths["/products"]["get"]
    detail = paths["/products/{product_id}"]["get"]
    assert set(detail["responses"]) == {"200", "304", "404", "503"}
    assert set(detail["responses"]["200"]["headers"]) == {"ETag", "Cache-Control"}
    assert {"in": "header", "name": "If-None-Match", "required": False}.items() <= detail["parameters"][1].items()
    assert paths["/offers"]["post"]["description"] == "Roles: admin, product_manager."
    login = paths["/auth/login"]["post"]["responses"]
    assert login["429"]["headers"]["Retry-After"]["required"] is True


def test_patch_bodies_require_nothing_and_errors_may_carry_more_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    patch = spec["paths"]["/products/{product_id}"]["patch"]["requestBody"]["content"]["application/json"]
    assert patch["schema"] == {"$ref": "#/components/schemas/ProductWritePatch"}
    assert "required" not in schemas["ProductWritePatch"] and schemas["ProductWrite"]["required"] == ["name", "price"]
    assert schemas["ProfilePatch"]["minProperties"] == 1
    error = schemas["ErrorBody"]
    assert error["additionalProperties"] is True and {"products", "blocked_until"} <= set(error["properties"])


def test_a_new_route_is_documented_from_its_doc_and_guard_alone(settings):
    """What a route added later gets without special cases: security, x-roles and the common statuses."""
    app = create_app(settings=settings)
    bp = Blueprint("extra", __name__)

    @bp.delete("/api/v1/_terms/<term>")
    @requires("catalog.write")
    @doc("Hide a term", tags=["catalog"], status=204)
    def hide(term: str):
        return "", 204

    @bp.post("/api/v1/_notes")
    @doc("Leave a note", tags=["meta"], body=CategoryWriteSchema, response=CategorySchema, status=201)
    def note():
        return {}, 201

    app.register_blueprint(bp)
    with app.app_context():
        paths = build_spec(app, "/api/v1")["paths"]
    hide_op = paths["/_terms/{term}"]["delete"]
    assert hide_op["security"] == [{"bearer": []}, {"cookie": [], "csrf": []}]
    assert hide_op["x-roles"] == ["admin", "product_manager"]
    assert set(hide_op["responses"]) == {"204", "401", "403", "404", "503"}
    assert "content" not in hide_op["responses"]["204"]
    note_op = paths["/_notes"]["post"]
    assert "security" not in note_op
    assert set(note_op["responses"]) == {"201", "400", "413", "422", "503"}
    assert note_op["responses"]["201"]["headers"]["Location"]["required"] is True
    app.extensions["shopwright"].db.pool.close()
