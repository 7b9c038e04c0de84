"""GET /health: ok while the database answers, 503 in the error shape while it is down, ok again after."""
from __future__ import annotations

import time
from dataclasses import replace

from backend.app import create_app
from tests.helpers import TcpProxy, assert_error


def test_health_ok(client, settings):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "currency": "USD",
                                   "database_node": f"{settings.db_host}:{settings.db_port}", "cluster_size": None}


def test_health_follows_the_database_down_and_up_without_restart(settings):
    proxy = TcpProxy(settings.db_host, settings.db_port)
    proxy.start()
    app = create_app(settings=replace(settings, db_host="127.0.0.1", db_port=proxy.port, db_connect_timeout=1))
    client = app.test_client()
    try:
        assert client.get("/api/v1/health").status_code == 200
        proxy.stop()
        assert_error(client.get("/api/v1/health"), 503, "database_unavailable")
        assert_error(client.get("/api/v1/products"), 503, "database_unavailable")
        proxy.start()
        response = client.get("/api/v1/health")
        assert response.status_code == 200 and response.get_json()["database"] == "ok"
    finally:
        proxy.stop()


def test_health_and_requests_answer_503_in_time_while_the_database_stalls(settings):
    proxy = TcpProxy(settings.db_host, settings.db_port)
    proxy.start()
    client = create_app(settings=replace(settings, db_host="127.0.0.1", db_port=proxy.port)).test_client()
    try:
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/api/v1/products").status_code == 200
        proxy.pause()  # open and silent, as a frozen server
        started = time.monotonic()
        assert_error(client.get("/api/v1/health"), 503, "database_unavailable")
        assert time.monotonic() - started < 2
        started = time.monotonic()
        assert_error(client.get("/api/v1/products"), 503, "database_unavailable")
        assert time.monotonic() - started < 5
        proxy.resume()
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/api/v1/products").status_code == 200
    finally:
        proxy.stop()


def test_a_server_that_refuses_the_database_answers_503_not_500(settings):
    app = create_app(settings=replace(settings, db_name=f"{settings.db_name}_missing"))
    client = app.test_client()
    assert_error(client.get("/api/v1/products"), 503, "database_unavailable")
    assert_error(client.get("/api/v1/health"), 503, "database_unavailable")


def test_currency_comes_from_settings(settings):
    app = create_app(settings=replace(settings, store_currency="EUR"))
    assert app.test_client().get("/api/v1/health").get_json()["currency"] == "EUR"
