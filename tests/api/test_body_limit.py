"""A body over MAX_BODY_BYTES is 413 whether its length is declared or it is chunked (through the test client,
and through a real gunicorn, which is what sends chunked bodies to the app in production)."""
from __future__ import annotations

import http.client
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import _free_port, assert_error

LIMIT = 1_048_576  # the default MAX_BODY_BYTES, which the test app keeps
ROOT = Path(__file__).resolve().parents[2]
# What gunicorn hands the app for Transfer-Encoding: chunked: no CONTENT_LENGTH (the test client would
# measure the stream), and a stream the server terminates.
CHUNKED = {"CONTENT_LENGTH": "", "wsgi.input_terminated": True}


def _login_body(size: int) -> bytes:
    """A JSON login body of exactly size bytes, with empty login and password (a 422 when read whole)."""
    shell = json.dumps({"login": "", "password": "", "pad": ""}).encode()
    return shell[:-2] + b" " * (size - len(shell)) + shell[-2:]


def _chunked(client, path: str, body: bytes, **headers):
    return client.post(path, input_stream=io.BytesIO(body), content_type="application/json",
                       headers={"Transfer-Encoding": "chunked", **headers}, environ_overrides=CHUNKED)


def test_a_chunked_body_over_the_limit_is_413(client):
    response = _chunked(client, "/api/v1/auth/login", _login_body(LIMIT + 1))
    assert_error(response, 413, "payload_too_large")


def test_a_chunked_body_at_the_limit_is_read_whole(client):
    response = _chunked(client, "/api/v1/auth/login", _login_body(LIMIT))
    assert set(assert_error(response, 422, "validation_error")["fields"]) == {"login", "password", "pad"}


def test_a_declared_length_over_the_limit_is_413(client):
    assert_error(client.post("/api/v1/auth/login", data=_login_body(LIMIT + 1), content_type="application/json"),
                 413, "payload_too_large")


@pytest.mark.parametrize("method, path", [("post", "/api/v1/auth/logout"), ("delete", "/api/v1/cart"),
                                          ("post", "/api/v1/nowhere")])
def test_an_oversized_body_is_413_even_where_it_is_never_read(client, method, path):
    body = b"x" * (LIMIT + 1)
    assert_error(getattr(client, method)(path, data=body, content_type="application/json"), 413,
                 "payload_too_large")
    response = client.open(path, method=method.upper(), input_stream=io.BytesIO(body),
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides=CHUNKED)
    assert_error(response, 413, "payload_too_large")


@pytest.fixture(scope="module")
def gunicorn(settings):
    """The shop under gunicorn on a loopback port, with a 4 KiB body limit, for one module."""
    port = _free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DB_HOST": settings.db_host,
           "DB_PORT": str(settings.db_port), "DB_USER": settings.db_user, "DB_PASSWORD": settings.db_password,
           "DB_NAME": settings.db_name, "MAX_BODY_BYTES": "4096", "MAIL_SENDER_ENABLED": "false",
           "CLEANUP_INTERVAL_MINUTES": "0", "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                "--worker-class", "gthread", "--threads", "2", "backend.wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "gunicorn did not start"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def _send(port: int, body: bytes, chunked: bool) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if chunked:
        pieces = (body[i:i + 1000] for i in range(0, len(body), 1000))
        conn.request("POST", "/api/v1/auth/login", body=pieces, headers=headers, encode_chunked=True)
    else:
        conn.request("POST", "/api/v1/auth/login", body=body, headers=headers)
    response = conn.getresponse()
    status, payload = response.status, json.loads(response.read())
    conn.close()
    return status, payload


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_gunicorn_answers_413_over_the_limit_chunked_or_not(gunicorn, chunked):
    status, payload = _send(gunicorn, _login_body(4097), chunked)
    assert (status, payload["error"]["code"]) == (413, "payload_too_large")
    status, payload = _send(gunicorn, _login_body(4096), chunked)
    assert (status, set(payload["error"]["fields"])) == (422, {"login", "password", "pad"})
