"""DB_HOSTS: the pool uses the first node that answers and fails over to the next, without a restart."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from backend.app import create_app
from backend.config import Settings
from tests.helpers import TcpProxy, _free_port


def _nodes(settings, count: int = 2) -> list[TcpProxy]:
    # Each started before the next picks its port: a port picked is not held until bound, and two picks
    # from TEST_PORT_RANGE could be the same one.
    proxies = []
    for _ in range(count):
        proxies.append(TcpProxy(settings.db_host, settings.db_port))
        proxies[-1].start()
    return proxies


def _hosts(*ports: int) -> str:
    return ",".join(f"127.0.0.1:{port}" for port in ports)


def test_db_hosts_parse_and_override_db_host():
    assert Settings(db_host="a", db_port=1).db_addresses == [("a", 1)]
    assert Settings(db_host="a", db_hosts=" db1:3306, 10.0.0.2:3307 ").db_addresses == [
        ("db1", 3306), ("10.0.0.2", 3307)]
    with pytest.raises(ValueError, match="host:port"):
        _ = Settings(db_hosts="db1").db_addresses


def test_the_first_reachable_node_is_used(settings):
    (second,) = _nodes(settings, 1)
    try:
        client = create_app(settings=replace(settings, db_hosts=_hosts(_free_port(), second.port),
                                             db_connect_timeout=1)).test_client()
        health = client.get("/api/v1/health").get_json()
        assert health["database_node"] == f"127.0.0.1:{second.port}"
        assert client.get("/api/v1/products").status_code == 200
    finally:
        second.stop()


def test_requests_fail_over_to_the_next_node_within_5_seconds_without_restart(settings):
    first, second = _nodes(settings)
    client = create_app(settings=replace(settings, db_hosts=_hosts(first.port, second.port),
                                         db_connect_timeout=1)).test_client()
    try:
        assert client.get("/api/v1/health").get_json()["database_node"] == f"127.0.0.1:{first.port}"
        assert client.get("/api/v1/products").status_code == 200
        first.stop()  # the node in use dies: its connections are cut and it refuses new ones
        started = time.monotonic()
        statuses = []
        while time.monotonic() - started < 5:
            statuses.append(client.get("/api/v1/products").status_code)
            if statuses[-1] == 200:
                break
        assert statuses[-1] == 200, statuses
        assert set(statuses) <= {200, 503}
        assert len(statuses) <= 2  # at most the request whose connection was cut answers 503
        health = client.get("/api/v1/health").get_json()
        assert (health["status"], health["database_node"]) == ("ok", f"127.0.0.1:{second.port}")
        # Sticky: the first node coming back does not move the app back.
        first.start()
        assert client.get("/api/v1/products").status_code == 200
        assert client.get("/api/v1/health").get_json()["database_node"] == f"127.0.0.1:{second.port}"
    finally:
        first.stop()
        second.stop()


def test_a_single_server_is_not_treated_as_galera(db):
    with db.uow() as uow, uow.conn.cursor() as cur:
        assert uow.conn.galera is False
        cur.execute("SELECT @@session.wsrep_sync_wait AS w")  # MariaDB has the variable even without Galera
        assert int(cur.fetchone()["w"]) == 0
    assert db.probe.alive() and db.probe.cluster_size is None
