"""The cluster suite's set-up: 3 Galera nodes, the schema, two gunicorn app servers on different
nodes, an SMTP sink both apps' outbox senders deliver to. Everything is removed at the end."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from backend.app import create_app
from backend.config import load_settings
from backend.migrate import apply_schema, create_database
from tests import accounts_support
from tests.cluster.galera import AppServer, Cluster, available
from tests.helpers import _free_port

smtp_sink = accounts_support.smtp_sink  # the session SMTP sink both apps' outbox senders deliver to
FIGURES: dict[str, str] = {}


def _app_ports() -> list[int]:
    """Two distinct free loopback ports unless CLUSTER_APP_PORTS names them ("5501,5502").

    Chosen when the apps start, after the SMTP sink has bound its port: ports picked at import time
    are not held, and the sink could take one of them (an app URL then answered with an SMTP banner).
    """
    if os.environ.get("CLUSTER_APP_PORTS"):
        return [int(p) for p in os.environ["CLUSTER_APP_PORTS"].split(",")]
    ports: list[int] = []
    while len(ports) < 2:
        if (port := _free_port()) not in ports:
            ports.append(port)
    return ports


def figure(name: str, value: str) -> None:
    """A measured figure, printed at the end of the run (for the README)."""
    FIGURES[name] = value


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("cluster figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def cluster():
    why = available()
    if why:
        pytest.skip(f"Galera cluster unavailable: {why}")
    galera = Cluster()
    try:
        figure("cluster start (3 nodes Synced)", f"{galera.start():.1f} s")
        yield galera
    finally:
        galera.stop()


@pytest.fixture(scope="session")
def shop_settings(cluster):
    settings = replace(load_settings(), db_hosts=",".join(n.address for n in cluster.nodes),
                       db_name="shopwright_cluster", ratelimit_enabled=False, mail_sender_enabled=False,
                       cleanup_interval_minutes=0, log_level="WARNING", secret_key="cluster-test-secret")
    create_database(replace(settings, db_host="127.0.0.1", db_port=cluster.nodes[0].port))
    apply_schema(replace(settings, db_host="127.0.0.1", db_port=cluster.nodes[0].port))
    return settings


@pytest.fixture(scope="session")
def services(shop_settings):
    """The services in this test process (making users and products), on the cluster through DB_HOSTS."""
    return create_app(settings=shop_settings).extensions["shopwright"]


@pytest.fixture(scope="session")
def apps(cluster, shop_settings, smtp_sink):
    """App A on node 1 first, app B on node 2 first; each lists every node in DB_HOSTS."""
    n1, n2, n3 = (n.address for n in cluster.nodes)
    env = {"DB_NAME": shop_settings.db_name, "DB_USER": "root", "DB_PASSWORD": "", "RATELIMIT_ENABLED": "false",
           "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port), "SMTP_TLS": "false",
           "MAIL_SENDER_ENABLED": "true", "CLEANUP_INTERVAL_MINUTES": "0", "SECRET_KEY": "cluster-test-secret",
           "LOG_LEVEL": "WARNING", "REDIS_URL": "",
           # Above the commit stall of a membership change (a dead node is evicted after
           # evs.suspect_timeout, 1.5 s here, plus the view change): see docs/scale-out.md.
           "DB_STATEMENT_SECONDS": "4", "DB_READ_TIMEOUT": "5"}
    first, second = _app_ports()
    servers = [AppServer(first, {**env, "DB_HOSTS": f"{n1},{n2},{n3}"}, cluster.root),
               AppServer(second, {**env, "DB_HOSTS": f"{n2},{n3},{n1}"}, cluster.root)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def call(app: AppServer, method: str, path: str, body=None, headers=None, timeout: float = 20):
    """(status, json body) of one HTTP request; status 0 when the request itself failed."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(app.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, raw.decode(errors="replace")
    except OSError as exc:
        return 0, repr(exc)
