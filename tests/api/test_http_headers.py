"""Response headers: security headers on pages, API answers and static files; ETag/304 and a short public
max-age for anonymous catalog reads only; gzip/brotli compression that leaves the JSON and the ETags intact."""
from __future__ import annotations

import gzip
import json
from dataclasses import replace
from decimal import Decimal

import brotli
import pytest
from flask import session

from backend.app import create_app
from backend.context import SYSTEM
from backend.routes.guard import SESSION_COOKIE
from tests.catalog_support import product, word

CATALOG_READS = ["/api/v1/products?per_page=24", "/api/v1/categories", "/api/v1/search/trending"]


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("path", ["/", "/login", "/admin", "/api/docs"])
def test_pages_send_the_strict_csp_and_framing_protection(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_when_cookies_are_secure(settings):
    secure = create_app(settings=replace(settings, cookie_secure=True)).test_client()
    for path in ("/", "/api/v1/categories", "/static/css/app.css"):
        assert secure.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_static_files_are_nosniff_without_a_page_policy(client):
    response = client.get("/static/js/api.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/javascript"


def test_api_answers_are_nosniff_and_never_stored_unless_public(client, make_user):
    user = make_user()
    anonymous = client.get("/api/v1/health")
    assert anonymous.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.headers["Cache-Control"] == "no-store"
    assert _directives(anonymous.headers["Content-Security-Policy"]) == {"default-src": "'none'",
                                                                         "frame-ancestors": "'none'"}
    account = client.get("/api/v1/account", headers=user["headers"])
    assert account.status_code == 200
    assert account.headers["Cache-Control"] == "no-store"
    assert account.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in account.headers  # JSON is not a page; its own CSP forbids framing


@pytest.mark.parametrize("path", CATALOG_READS)
def test_authenticated_catalog_reads_are_no_store_without_etag(client, make_user, path):
    user = make_user()
    by_bearer = client.get(path, headers=user["headers"])
    client.set_cookie(SESSION_COOKIE, user["token"])
    by_cookie = client.get(path)
    for response in (by_bearer, by_cookie):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


@pytest.mark.parametrize("path", CATALOG_READS)
def test_anonymous_catalog_reads_answer_if_none_match_with_304(client, services, path):
    product(services, f"Lamp {word()}")
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and len(etag) > 10
    assert first.cache_control.public and first.cache_control.max_age == 30
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.cache_control.max_age == 30
    assert client.get(path, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200


def test_the_etag_follows_the_product(client, services):
    item = product(services, f"Lamp {word()}", price="10.00")
    path = f"/api/v1/products/{item['id']}"
    before = client.get(path)
    services.products.update_product(SYSTEM, item["id"], {"price": Decimal("12.00")})
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.json["price"] == "12.00"
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_missing_product_is_neither_tagged_nor_public(client):
    response = client.get("/api/v1/products/999999999")
    assert response.status_code == 404
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_json_is_compressed_for_gzip_and_brotli_and_plain_without(client, services):
    for _ in range(3):
        product(services, f"Lamp {word()}", description="A lamp that lights the room. " * 5)
    path = "/api/v1/products?per_page=24"
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    expected = json.loads(plain.data)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.data)) == expected
    assert len(zipped.data) < len(plain.data) / 3
    broti = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert broti.headers["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(broti.data)) == expected
    for response in (plain, zipped, broti):
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["ETag"] == plain.headers["ETag"]  # one weak ETag for every encoding
    not_modified = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert "Content-Encoding" not in not_modified.headers


@pytest.mark.parametrize(("path", "mimetype"), [("/", "text/html"), ("/static/css/app.css", "text/css"),
                                                 ("/static/js/admin_resources.js", "text/javascript")])
def test_pages_css_and_js_are_compressed(client, path, mimetype):
    plain = client.get(path)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.mimetype == mimetype
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data


def test_small_answers_are_left_uncompressed(client):
    response = client.get("/api/v1/health", headers={"Accept-Encoding": "gzip, br"})
    assert len(response.data) < 1024 and "Content-Encoding" not in response.headers


def test_the_openapi_document_declares_304_on_catalog_reads(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/products", "/products/{product_id}", "/categories", "/search/trending"):
        assert "304" in paths[path]["get"]["responses"], path
        assert "content" not in paths[path]["get"]["responses"]["304"]
    assert "304" not in paths["/products"]["post"]["responses"]


def test_flasks_cookie_session_still_works_and_an_unused_one_leaves_no_trace(settings):
    # The shop never uses flask.session (app.LazyCookieSessions skips it per request); code that does still gets it.
    app = create_app(settings=settings)

    @app.get("/session-probe")
    def probe():
        visits = session.get("visits", 0) + 1
        session["visits"] = visits
        return {"visits": visits}

    client = app.test_client()
    first = client.get("/session-probe")
    assert first.get_json() == {"visits": 1} and "session=" in first.headers["Set-Cookie"]
    assert "Cookie" in first.headers["Vary"]
    assert client.get("/session-probe").get_json() == {"visits": 2}
    client.set_cookie("session", "forged.value.here")
    assert client.get("/session-probe").get_json() == {"visits": 1}  # a bad signature: a new session
    client.delete_cookie("session")
    listing = client.get("/api/v1/categories")
    assert "Set-Cookie" not in listing.headers and listing.headers["Vary"] == "Accept-Encoding"
