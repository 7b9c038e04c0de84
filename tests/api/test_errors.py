"""One error shape for every failure (docs/api.md), checked in one parametrised test plus the edge cases."""
from __future__ import annotations

import pytest
from flask import Blueprint
from marshmallow import Schema, fields

from backend.app import create_app
from backend.routes import load_json
from tests.helpers import assert_error


class _EchoSchema(Schema):
    name = fields.String(required=True)


@pytest.fixture(scope="module")
def echo_client(settings):
    """An app with one extra JSON endpoint, to exercise body parsing through the real handlers."""
    app = create_app(settings=settings)
    bp = Blueprint("echo", __name__)

    @bp.post("/api/v1/_echo")
    def echo():
        return load_json(_EchoSchema())

    @bp.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("secret SELECT * FROM users")

    app.register_blueprint(bp)
    return app.test_client()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("method, path, kwargs, status, code", [
    ("get", "/api/v1/no-such-thing", {}, 404, "not_found"),
    ("get", "/api/v1/products/999999999", {}, 404, "not_found"),
    ("delete", "/api/v1/health", {}, 405, "method_not_allowed"),
    ("post", "/api/v1/_echo", {"data": "{not json", "headers": JSON}, 400, "invalid_json"),
    ("post", "/api/v1/_echo", {"data": "[1, 2]", "headers": JSON}, 400, "invalid_json"),
    ("post", "/api/v1/_echo", {"data": "name=x"}, 400, "unsupported_media_type"),
    ("post", "/api/v1/_echo", {"json": {}}, 422, "validation_error"),
    ("post", "/api/v1/_echo", {"data": '{"name": "' + "x" * 2_000_000 + '"}', "headers": JSON},
     413, "payload_too_large"),
    ("get", "/api/v1/products?per_page=101", {}, 422, "validation_error"),
    ("get", "/api/v1/products?page=abc", {}, 422, "validation_error"),
    ("get", "/api/v1/_boom", {}, 500, "internal_error"),
])
def test_error_shape(echo_client, method, path, kwargs, status, code):
    assert_error(getattr(echo_client, method)(path, **kwargs), status, code)


def test_validation_error_names_the_field(echo_client):
    error = assert_error(echo_client.post("/api/v1/_echo", json={"name": 5}), 422, "validation_error")
    assert error["fields"] == {"name": ["Not a valid string."]}


def test_unexpected_error_leaks_no_detail(echo_client):
    response = echo_client.get("/api/v1/_boom")
    text = response.get_data(as_text=True)
    assert "SELECT" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert response.get_json()["error"]["request_id"] == response.headers["X-Request-ID"]


def test_method_not_allowed_lists_allowed_methods(client):
    response = client.delete("/api/v1/health")
    assert "GET" in response.headers["Allow"]


def test_request_id_is_echoed_or_made(client):
    supplied = client.get("/api/v1/health", headers={"X-Request-ID": "abc12345-test"})
    assert supplied.headers["X-Request-ID"] == "abc12345-test"
    assert len(client.get("/api/v1/health").headers["X-Request-ID"]) == 32


# Valid JSON under the body limit, nested deeper than Python's parser recurses (RecursionError, not ValueError).
_DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("body", ['{"name": ' + _DEEP + "}", '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_too_deep_is_400_invalid_json(echo_client, body):
    assert_error(echo_client.post("/api/v1/_echo", data=body, headers=JSON), 400, "invalid_json")
