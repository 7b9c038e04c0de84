"""The image upload route takes bodies up to MAX_IMAGE_BYTES plus form overhead, every other route keeps
MAX_BODY_BYTES, and over either limit the answer is 413, whether the length is declared or chunked."""
from __future__ import annotations

import io
import os
from dataclasses import replace
from decimal import Decimal

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from backend.app import create_app
from backend.context import SYSTEM
from backend.routes.images import UPLOAD_OVERHEAD
from tests.conftest import uid
from tests.helpers import assert_error

BODY_LIMIT = 4096
IMAGE_LIMIT = 300_000
CHUNKED = {"CONTENT_LENGTH": "", "wsgi.input_terminated": True}


@pytest.fixture(scope="module")
def small_app(settings):
    return create_app(settings=replace(settings, max_body_bytes=BODY_LIMIT, max_image_bytes=IMAGE_LIMIT))


@pytest.fixture
def small(small_app):
    return small_app.test_client()


@pytest.fixture
def target(small_app, make_user):
    made = small_app.extensions["shopwright"].products.create_product(
        SYSTEM, {"name": f"Limits {uid()}", "price": Decimal("2.00")})
    return made["id"], make_user("product_manager")["headers"]


def noisy_jpeg(size: int) -> bytes:
    """A JPEG of about size bytes (noise does not compress)."""
    side = int((size / 1.2) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def form(data: bytes) -> tuple[str, bytes]:
    part = FileStorage(io.BytesIO(data), filename="big.jpg", content_type="image/jpeg")
    boundary, body = encode_multipart({"file": part, "alt": "big"})
    return f"multipart/form-data; boundary={boundary}", body


def test_an_image_far_over_max_body_bytes_is_accepted(small, target):
    product_id, headers = target
    data = noisy_jpeg(200_000)
    assert BODY_LIMIT * 10 < len(data) < IMAGE_LIMIT
    content_type, body = form(data)
    response = small.post(f"/api/v1/products/{product_id}/images", data=body, content_type=content_type,
                          headers=headers)
    assert response.status_code == 201, response.get_json()


def test_the_same_image_chunked_is_accepted(small, target):
    product_id, headers = target
    content_type, body = form(noisy_jpeg(200_000))
    response = small.post(f"/api/v1/products/{product_id}/images", input_stream=io.BytesIO(body),
                          content_type=content_type, headers={**headers, "Transfer-Encoding": "chunked"},
                          environ_overrides=CHUNKED)
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_upload_limit_is_413(small, target, chunked):
    product_id, headers = target
    content_type, body = form(b"\xff" * (IMAGE_LIMIT + UPLOAD_OVERHEAD))
    extra = dict(input_stream=io.BytesIO(body), headers={**headers, "Transfer-Encoding": "chunked"},
                 environ_overrides=CHUNKED) if chunked else dict(data=body, headers=headers)
    response = small.post(f"/api/v1/products/{product_id}/images", content_type=content_type, **extra)
    assert_error(response, 413, "payload_too_large")


def test_a_file_over_max_image_bytes_is_413_even_when_the_body_fits(small, target):
    product_id, headers = target
    content_type, body = form(b"\xff" * (IMAGE_LIMIT + 1))
    assert len(body) <= IMAGE_LIMIT + UPLOAD_OVERHEAD
    response = small.post(f"/api/v1/products/{product_id}/images", data=body, content_type=content_type,
                          headers=headers)
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("chunked", [False, True])
def test_every_other_route_keeps_max_body_bytes(small, target, chunked):
    product_id, headers = target
    content_type, body = form(noisy_jpeg(20_000))
    assert len(body) > BODY_LIMIT
    for method, path in [("POST", "/api/v1/products"), ("PATCH", f"/api/v1/products/{product_id}"),
                         ("PATCH", f"/api/v1/products/{product_id}/images/1"), ("POST", "/api/v1/auth/login"),
                         ("POST", f"/api/v1/products/{product_id}/images/1")]:
        extra = dict(input_stream=io.BytesIO(body), headers={**headers, "Transfer-Encoding": "chunked"},
                     environ_overrides=CHUNKED) if chunked else dict(data=body, headers=headers)
        response = small.open(path, method=method, content_type=content_type, **extra)
        assert_error(response, 413, "payload_too_large")
