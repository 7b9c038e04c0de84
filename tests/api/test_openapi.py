"""The served OpenAPI document and the docs page."""
from __future__ import annotations


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
