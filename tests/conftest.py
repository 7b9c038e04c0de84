"""Test set-up: a real MySQL/MariaDB, chosen as docs/architecture say.

TEST_DATABASE_URL (mysql://user:pass@host:port/name) when set; else a MySQL 8 container through
testcontainers when a Docker engine answers; else a throwaway database on the local server
(DB_* settings), created for this run and dropped afterwards.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import unquote, urlparse

import pytest

from backend.app import create_app
from backend.clock import utcnow
from backend.config import Settings, load_settings
from backend.migrate import apply_schema, create_database, drop_database
from backend.passwords import hash_password
from backend.repositories.accounts import AccountRepository

# tests/cluster starts a 3-node Galera cluster and app servers: run by `make test-cluster` only.
collect_ignore = [] if os.environ.get("CLUSTER_TESTS") else ["cluster"]


def uid() -> str:
    """A short unique suffix so tests never collide on emails, names or slugs."""
    return uuid.uuid4().hex[:10]


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _from_url(base: Settings, url: str) -> Settings:
    parts = urlparse(url)
    return replace(base, db_host=parts.hostname or "127.0.0.1", db_port=parts.port or 3306,
                   db_user=unquote(parts.username or "root"), db_password=unquote(parts.password or ""),
                   db_name=parts.path.lstrip("/") or "shopwright_test")


# Image files of the test run: a directory of its own, removed when the run ends.
_MEDIA_DIR = tempfile.mkdtemp(prefix="shopwright-test-media-")
atexit.register(shutil.rmtree, _MEDIA_DIR, True)


def _base_settings() -> Settings:
    return replace(load_settings(), media_dir=_MEDIA_DIR, ratelimit_enabled=False, mail_backend="console",
                   mail_sender_enabled=False, log_level="WARNING", session_idle_minutes=30,
                   cleanup_interval_minutes=0, session_max_days=7, max_sessions_per_user=3, store_currency="USD")


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    base = _base_settings()
    if os.environ.get("TEST_DATABASE_URL"):
        chosen = _from_url(base, os.environ["TEST_DATABASE_URL"])
        create_database(chosen)
        apply_schema(chosen)
        yield chosen
    elif _docker_answers():
        from testcontainers.mysql import MySqlContainer

        with MySqlContainer("mysql:8.0", username="root", password="test", dbname="shopwright_test") as mysql:
            chosen = replace(base, db_host=mysql.get_container_host_ip(),
                             db_port=int(mysql.get_exposed_port(3306)), db_user="root",
                             db_password="test", db_name="shopwright_test")
            apply_schema(chosen)
            yield chosen
    else:
        chosen = replace(base, db_name=f"shopwright_test_{uid()}")
        create_database(chosen)
        apply_schema(chosen)
        try:
            yield chosen
        finally:
            drop_database(chosen, chosen.db_name)


@pytest.fixture(scope="session")
def app(settings):
    return create_app(settings=settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def services(app):
    return app.extensions["shopwright"]


@pytest.fixture
def db(services):
    return services.db


@pytest.fixture
def travel(services) -> Iterator:
    """travel(timedelta) moves every service's clock forward; time comes back after the test."""
    offset = timedelta()

    def move(delta: timedelta) -> datetime:
        nonlocal offset
        offset += delta
        services.set_clock(lambda: utcnow() + offset)
        return utcnow() + offset

    yield move
    services.set_clock(utcnow)


# bcrypt at its lowest cost: these users exist only for tests.
_TEST_HASH_ROUNDS = 4


def new_user(services, role: str = "customer", password: str = "correct-horse-battery", **fields) -> dict:
    """Create a user of a role straight in the database, logged in: token, csrf_token, headers."""
    suffix = uid()
    email = fields.pop("email", f"user-{suffix}@example.test")
    username = fields.pop("username", f"user_{suffix}")
    with services.db.uow() as uow:
        user_id = AccountRepository(uow.conn).add_user(
            email, username, hash_password(password, rounds=_TEST_HASH_ROUNDS),
            fields.pop("full_name", "Test User"), role)
        session = services.sessions.start(uow, user_id, "127.0.0.1", "pytest")
        uow.commit()
    return {"id": user_id, "email": email, "username": username, "password": password, "role": role,
            "token": session.token, "csrf_token": session.csrf_token, "session_id": session.id,
            "headers": {"Authorization": f"Bearer {session.token}"}}


@pytest.fixture
def make_user(services):
    """new_user on the suite's database: make_user(role, password=..., **fields)."""
    def factory(role: str = "customer", password: str = "correct-horse-battery", **fields) -> dict:
        return new_user(services, role, password, **fields)
    return factory
