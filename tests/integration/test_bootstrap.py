"""bootstrap against real listeners: the test server, a wrong password, a socket-only MariaDB, non-MySQL ports.

The scenario tests start real mariadbd processes in a temporary directory (as `make run` does in .data/)
and stop them again; they are skipped where no MariaDB server program is installed.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from backend.bootstrap import (
    Answer,
    BootstrapError,
    Place,
    choose_free_port,
    ensure_server,
    probe,
    running_pid,
    server_binary,
    stop_private_server,
    write_env,
)
from backend.config import load_settings
from tests.conftest import uid


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ports_after(port: int) -> range:
    """A small range of candidate ports near a known free one, for the private server to choose from."""
    return range(port, port + 40)


@pytest.fixture
def listener() -> Iterator:
    """listener(reply) -> port: a plain TCP server on a free port that sends `reply` (or nothing) and hangs up."""
    sockets: list[socket.socket] = []

    def start(reply: bytes | None) -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sockets.append(sock)

        def serve() -> None:
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                with conn:
                    if reply is not None:
                        conn.sendall(reply)
                    time.sleep(1.5)

        threading.Thread(target=serve, daemon=True).start()
        return sock.getsockname()[1]

    yield start
    for sock in sockets:
        sock.close()


def _local(settings, port: int, **changes):
    return replace(settings, db_host="127.0.0.1", db_port=port, db_user="root", db_password="",
                   db_connect_timeout=1, **changes)


# --- classification ------------------------------------------------------------------------------

def test_the_test_server_is_ready(settings):
    assert probe(settings).answer is Answer.READY


def test_a_wrong_password_is_refused_and_named(settings):
    wrong = replace(settings, db_password=f"wrong-{uid()}")
    found = probe(wrong)
    assert found.answer is Answer.REFUSED
    assert "1045" in found.detail
    with pytest.raises(BootstrapError) as raised:
        ensure_server(wrong)
    assert "refuses DB_USER=" in str(raised.value) and "DB_PASSWORD" in str(raised.value)


def test_nothing_listening_is_told_apart_from_not_mysql(settings, listener):
    assert probe(_local(settings, _free_port())).answer is Answer.NOTHING
    assert probe(_local(settings, listener(b"HTTP/1.1 400 Bad Request\r\n\r\n"))).answer is Answer.NOT_MYSQL
    assert probe(_local(settings, listener(b"SSH-2.0-OpenSSH_9.2\r\n"))).answer is Answer.NOT_MYSQL
    assert probe(_local(settings, listener(None))).answer is Answer.NOT_MYSQL  # accepts, says nothing


def test_a_remote_server_that_does_not_answer_names_the_settings(settings):
    remote = replace(settings, db_host="127.0.0.2", db_port=_free_port(), db_connect_timeout=1)
    with pytest.raises(BootstrapError) as raised:
        ensure_server(remote)
    assert "No database answers at 127.0.0.2:" in str(raised.value)
    assert "DB_HOST/DB_PORT" in str(raised.value)


def test_a_port_from_the_environment_is_not_moved(settings, listener, monkeypatch, tmp_path):
    port = listener(b"garbage\r\n")
    monkeypatch.setenv("DB_PORT", str(port))
    with pytest.raises(BootstrapError) as raised:
        ensure_server(_local(settings, port), Place(tmp_path / ".data", tmp_path / ".env"))
    assert f"DB_PORT={port} (from the environment) is something that is not a MySQL server" in str(raised.value)
    assert not (tmp_path / ".env").exists()


# --- free port and .env --------------------------------------------------------------------------

def test_the_free_port_skips_a_taken_one(listener):
    taken = listener(b"x")
    chosen = choose_free_port(range(taken, taken + 40))
    assert chosen != taken and taken < chosen < taken + 40
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", chosen))  # really free


def test_no_free_port_is_a_clear_error(listener):
    taken = listener(b"x")
    with pytest.raises(BootstrapError, match=f"No free port .* in {taken}-{taken}; set DB_PORT"):
        choose_free_port(range(taken, taken + 1))


def test_write_env_replaces_in_place_and_appends(tmp_path, monkeypatch):
    monkeypatch.delenv("DB_PORT", raising=False)
    monkeypatch.delenv("DB_NAME", raising=False)
    env = tmp_path / ".env"
    env.write_text("# mine\nDB_NAME=myshop\nexport DB_PORT = 3306\nHOST=127.0.0.1\n")
    write_env(env, {"DB_PORT": "3311"}, "why")
    assert env.read_text() == "# mine\nDB_NAME=myshop\nDB_PORT=3311\nHOST=127.0.0.1\n"
    write_env(env, {"DB_PORT": "3312", "DB_SSL": "false"}, "because")
    assert env.read_text() == ("# mine\nDB_NAME=myshop\nDB_PORT=3312\nHOST=127.0.0.1\n"
                               "# because (written by backend/bootstrap.py)\nDB_SSL=false\n")
    loaded = load_settings(env_file=env)
    assert (loaded.db_port, loaded.db_name) == (3312, "myshop")


def test_write_env_creates_the_file(tmp_path):
    env = tmp_path / ".env"
    write_env(env, {"DB_PORT": "3320"}, "port 3306 is taken")
    assert env.read_text() == "# port 3306 is taken (written by backend/bootstrap.py)\nDB_PORT=3320\n"


# --- whole scenarios with real servers -----------------------------------------------------------

INSTALLER = shutil.which("mariadb-install-db")
needs_mariadb = pytest.mark.skipif(not (server_binary() and INSTALLER), reason="no MariaDB server program here")


@pytest.fixture(scope="module")
def socket_only_server(tmp_path_factory) -> Iterator[int]:
    """A MariaDB set up as Debian's package sets it up: root may log in only through the unix socket."""
    base = tmp_path_factory.mktemp("debian-like")
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([INSTALLER, "--no-defaults", "--basedir=/usr", f"--datadir={base / 'data'}", "--skip-test-db",
                    *as_root], check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([server_binary(), "--no-defaults", f"--datadir={base / 'data'}", f"--port={port}",
                               "--bind-address=127.0.0.1", f"--socket={base / 's.sock'}", *as_root],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(60)


@pytest.fixture
def place(tmp_path) -> Iterator[Place]:
    spot = Place(tmp_path / ".data", tmp_path / ".env")
    yield spot
    stop_private_server(spot)


@needs_mariadb
def test_socket_only_root_gets_a_private_server_on_a_free_port(settings, socket_only_server, place, monkeypatch):
    monkeypatch.delenv("DB_PORT", raising=False)
    debian = _local(settings, socket_only_server)
    found = probe(debian)
    assert found.answer is Answer.SOCKET_ONLY and "1698" in found.detail

    ports = _ports_after(_free_port())
    first = ensure_server(debian, place, ports)
    assert first.db_port != socket_only_server and first.db_port in ports
    assert f"DB_PORT={first.db_port}\n" in place.env_file.read_text()
    remembered = replace(debian, db_port=load_settings(env_file=place.env_file).db_port)
    assert remembered.db_port == first.db_port
    assert probe(remembered).answer is Answer.READY
    pid = running_pid(place)
    assert pid is not None

    # the next run finds it as it is; after stopping, the next run starts it again on the same port
    assert ensure_server(remembered, place, ports) == remembered and running_pid(place) == pid
    assert stop_private_server(place) is True
    assert probe(remembered).answer is Answer.NOTHING and not place.pid_file.exists()
    assert stop_private_server(place) is False
    assert ensure_server(remembered, place, ports) == remembered
    assert probe(remembered).answer is Answer.READY


@needs_mariadb
def test_a_port_held_by_something_else_moves_the_private_server(settings, listener, place, monkeypatch):
    monkeypatch.delenv("DB_PORT", raising=False)
    taken = listener(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    place.env_file.write_text(f"DB_PORT={taken}\n")
    ports = _ports_after(_free_port())
    moved = ensure_server(_local(settings, taken), place, ports)
    assert moved.db_port in ports
    assert place.env_file.read_text() == f"DB_PORT={moved.db_port}\n"
    assert probe(moved).answer is Answer.READY


@needs_mariadb
def test_a_stale_pid_file_does_not_block_the_start(settings, place, monkeypatch):
    monkeypatch.delenv("DB_PORT", raising=False)
    place.data_dir.mkdir(parents=True)
    place.pid_file.write_text("1\n")  # pid 1 is alive but is not our server
    port = _free_port()
    assert ensure_server(_local(settings, port), place, _ports_after(port)).db_port == port
    assert running_pid(place) not in (None, 1)


def test_stopping_without_a_private_server_says_so(tmp_path):
    assert stop_private_server(Place(tmp_path / ".data", tmp_path / ".env")) is False

