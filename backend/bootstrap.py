"""Find or start a MySQL-compatible server for `make run` / `make test`, saying in one line what it did.

What answers at DB_HOST:DB_PORT decides the step (see probe()):
- a MySQL server that accepts DB_USER/DB_PASSWORD: use it;
- nothing, on this machine: start a private server (data in .data/) on that port, installing Debian's
  mariadb-server first when no server program exists (as root; otherwise print the command to run);
- a server that refuses root without a password (Debian's own service lets root in only through its
  unix socket: error 1698) or something that is not MySQL at all: start the private server on a free
  port instead and remember that port as DB_PORT in .env;
- a server that refuses credentials you set, or a remote server that does not answer: say which
  setting to change, and stop.
The private server is never a change to a server we did not start: no users or grants are added to the
system's MariaDB, and the same path works without root once a server program is installed.
`python -m backend.bootstrap stop` stops the private server and waits until it has exited.
"""
from __future__ import annotations

import enum
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

import pymysql

from backend.config import ROOT, Settings, load_settings
from backend.db import connect

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Where the private server looks for a free port when the configured one is unusable.
PRIVATE_PORTS = range(3307, 3400)
SOCKET_ONLY_ERRORS = {1698}             # ER_ACCESS_DENIED_NO_PASSWORD_ERROR: unix_socket/auth_socket accounts
REFUSED_ERRORS = {1044, 1045, 1130}     # bad user/password, no rights, host not allowed
START_SECONDS = 60


class BootstrapError(SystemExit):
    """A situation bootstrap cannot fix; its text is the one line the user reads."""


class Answer(enum.Enum):
    READY = "ready"
    NOTHING = "nothing listens"
    SOCKET_ONLY = "lets this user in only through its unix socket"
    REFUSED = "refuses these credentials"
    NOT_MYSQL = "is not a MySQL server"
    FAILED = "answers with an error"


@dataclass(frozen=True)
class Probe:
    answer: Answer
    detail: str = ""


@dataclass(frozen=True)
class Place:
    """Where the private server keeps its files and where bootstrap remembers its choices."""
    data_dir: Path
    env_file: Path

    @property
    def mysql_dir(self) -> Path:
        return self.data_dir / "mysql"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "mysql.pid"

    @property
    def socket(self) -> Path:
        return self.data_dir / "mysql.sock"

    @property
    def log(self) -> Path:
        return self.data_dir / "mysql.log"


PROJECT = Place(ROOT / ".data", ROOT / ".env")


def say(line: str) -> None:
    print(f"bootstrap: {line}", flush=True)


# --- what answers on a port ---------------------------------------------------------------------

def _greeting(host: str, port: int, timeout: float) -> Probe | None:
    """Read the first packet a MySQL server sends on connect; None when it is a MySQL greeting."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        return Probe(Answer.NOTHING)
    except OSError as exc:  # timeout, unreachable, unknown host
        return Probe(Answer.NOTHING, str(exc))
    with sock:
        try:
            header = _read(sock, 4)
            length, seq = int.from_bytes(header[:3], "little"), header[3]
            payload = _read(sock, min(length, 4096)) if seq == 0 and 0 < length < 1 << 16 else b""
        except OSError:
            payload = b""
    if payload[:1] == b"\x0a":  # protocol version 10: a MySQL/MariaDB handshake
        return None
    if payload[:1] == b"\xff":  # an error packet before the handshake (too many connections, host blocked)
        code = int.from_bytes(payload[1:3], "little")
        return Probe(Answer.FAILED, f"error {code}: {payload[3:].decode('utf-8', 'replace')}")
    return Probe(Answer.NOT_MYSQL)


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def probe(settings: Settings) -> Probe:
    """What answers at DB_HOST:DB_PORT, and whether it lets DB_USER/DB_PASSWORD in."""
    early = _greeting(settings.db_host, settings.db_port, settings.db_connect_timeout)
    if early is not None:
        return early
    try:
        connect(settings, database=None).close()
    except pymysql.err.MySQLError as exc:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
        detail = f"error {code}: {exc.args[-1]}" if code else str(exc)
        if code in SOCKET_ONLY_ERRORS:
            return Probe(Answer.SOCKET_ONLY, detail)
        if code in REFUSED_ERRORS:
            return Probe(Answer.REFUSED, detail)
        return Probe(Answer.FAILED, detail)
    return Probe(Answer.READY)


# --- the private server -------------------------------------------------------------------------

def choose_free_port(ports: range = PRIVATE_PORTS, host: str = "127.0.0.1") -> int:
    """The first port in `ports` where nothing listens and we may bind."""
    for port in ports:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                continue
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        return port
    raise BootstrapError(f"No free port for a private database server in {ports.start}-{ports.stop - 1}; "
                         "set DB_PORT to a free port.")


def server_binary() -> str | None:
    return shutil.which("mariadbd") or shutil.which("mysqld") or next(
        (p for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld") if os.path.exists(p)), None)


def install_server() -> str:
    if os.geteuid() != 0:
        raise BootstrapError("No MySQL/MariaDB server is installed: run `sudo apt-get install mariadb-server` "
                             "(or set DB_HOST/DB_PORT/DB_USER/DB_PASSWORD to a server you have), then run make again.")
    say("no MySQL/MariaDB server is installed; installing Debian's mariadb-server with apt-get "
        "(needs the Debian package mirror, about a minute) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "mariadb-server"]):
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            raise BootstrapError(f"`{' '.join(cmd)}` failed (output above): check access to the Debian package "
                                 "mirror, then run make again.")
    binary = server_binary()
    if binary is None:
        raise BootstrapError("mariadb-server was installed but no mariadbd program was found")
    return binary


def _as_root_flag() -> list[str]:
    return ["--user=root"] if os.geteuid() == 0 else []


def initialise_datadir(binary: str, place: Place) -> None:
    """Create the private data directory once; built aside and renamed so a crash never leaves half of one."""
    if (place.mysql_dir / "mysql").is_dir():
        return
    building = place.data_dir / "mysql.initialising"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    installer = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if "mariadbd" in binary and installer:
        # root may log in over TCP without a password; the server listens on 127.0.0.1 only.
        cmd = [installer, "--no-defaults", "--basedir=/usr", f"--datadir={building}",
               "--auth-root-authentication-method=normal", "--skip-test-db", *_as_root_flag()]
    else:
        cmd = [binary, "--no-defaults", "--initialize-insecure", f"--datadir={building}", *_as_root_flag()]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BootstrapError(f"Initialising the private database in {building} failed: "
                             f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    shutil.rmtree(place.mysql_dir, ignore_errors=True)
    building.rename(place.mysql_dir)


def _is_ours(pid: int, place: Place) -> bool:
    """A live process started on our data directory (a reused pid after a reboot, or a zombie, is not)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"--datadir={place.mysql_dir}".encode() in args


def running_pid(place: Place) -> int | None:
    """The private server's pid when its pid file names it alive, else None (a stale file is removed)."""
    try:
        pid = int(place.pid_file.read_text().strip())
    except (OSError, ValueError):
        pid = 0
    if pid and _is_ours(pid, place):
        return pid
    place.pid_file.unlink(missing_ok=True)
    return None


def start_private_server(settings: Settings, place: Place) -> None:
    binary = server_binary() or install_server()
    pid = running_pid(place)
    if pid is not None:
        raise BootstrapError(f"The private database server (pid {pid}) runs but does not answer on "
                             f"127.0.0.1:{settings.db_port}; run `make stop-db`, then make again.")
    initialise_datadir(binary, place)
    say(f"starting a private database server ({binary}) on 127.0.0.1:{settings.db_port}, "
        f"data in {place.mysql_dir}; `make stop-db` stops it")
    with open(place.log, "ab") as log:
        # --no-defaults: the system's my.cnf (its datadir, socket, user) belongs to the system's server.
        server = subprocess.Popen(
            [binary, "--no-defaults", f"--datadir={place.mysql_dir}", f"--port={settings.db_port}",
             "--bind-address=127.0.0.1", f"--socket={place.socket}", f"--pid-file={place.pid_file}",
             *_as_root_flag()],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.3)
        if server.poll() is not None:
            raise BootstrapError(f"The private database server exited at start: {_last_error(place.log)} "
                                 f"(full log: {place.log})")
        if probe(settings).answer is Answer.READY:
            return
    raise BootstrapError(f"The private database server did not answer within {START_SECONDS} s; see {place.log}")


def _last_error(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if "[ERROR]" in line]
    return lines[-1].split("[ERROR]", 1)[1].strip() if lines else "no error logged"


def stop_private_server(place: Place = PROJECT, wait_seconds: float = 60) -> bool:
    """Stop the private server and wait for it to exit, so the next start finds its port and files free."""
    pid = running_pid(place)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        _reap(pid)
        if not _is_ours(pid, place):
            break
        time.sleep(0.2)
    else:
        raise BootstrapError(f"The private database server (pid {pid}) did not stop within {wait_seconds:.0f} s")
    place.pid_file.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    """Collect the server's exit status when this process started it (tests do), so it does not linger."""
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


# --- remembering a choice in .env ---------------------------------------------------------------

def write_env(env_file: Path, values: dict[str, str], why: str) -> None:
    """Set KEY=value lines in .env: replace each key's line where it is, append the others under a comment."""
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    missing = dict(values)
    for i, line in enumerate(lines):
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if match and match.group(1) in missing:
            lines[i] = f"{match.group(1)}={missing.pop(match.group(1))}"
    if missing:
        lines.append(f"# {why} (written by backend/bootstrap.py)")
        lines.extend(f"{key}={value}" for key, value in missing.items())
    env_file.write_text("\n".join(lines) + "\n")


# --- the decision --------------------------------------------------------------------------------

def _default_credentials(settings: Settings) -> bool:
    return settings.db_user == "root" and settings.db_password == ""


def _stop_unless_fixable(settings: Settings, found: Probe) -> None:
    """Raise with the setting to change when a private server would not help."""
    where = f"{settings.db_host}:{settings.db_port}"
    local = settings.db_host in LOCAL_HOSTS
    if found.answer is Answer.FAILED:
        raise BootstrapError(f"The database server at {where} answers with {found.detail}")
    if found.answer in (Answer.REFUSED, Answer.SOCKET_ONLY) and not (local and _default_credentials(settings)):
        how = " over TCP (it accepts this user only through its unix socket)" if found.answer is Answer.SOCKET_ONLY \
            else ""
        raise BootstrapError(f"The database server at {where} refuses DB_USER={settings.db_user} with the "
                             f"DB_PASSWORD you set{how} ({found.detail}); change DB_USER/DB_PASSWORD in .env "
                             "or the environment.")
    if not local and found.answer is Answer.NOTHING:
        raise BootstrapError(f"No database answers at {where}{' (' + found.detail + ')' if found.detail else ''}; "
                             "start that server or change DB_HOST/DB_PORT.")
    if not local:
        raise BootstrapError(f"{where} is not a MySQL server; change DB_HOST/DB_PORT.")
    if found.answer is Answer.NOTHING and not _default_credentials(settings):
        raise BootstrapError(f"Nothing listens at {where} for DB_USER={settings.db_user}; start that server, or "
                             "remove DB_USER/DB_PASSWORD from .env to let make start a private one.")


def _move_port(settings: Settings, found: Probe, place: Place, ports: range) -> Settings:
    """The configured port is taken by something we cannot use: pick a free one and remember it in .env."""
    what = {Answer.SOCKET_ONLY: "a MySQL server that lets root in only through its unix socket (error 1698; "
                                "Debian's own MariaDB service does)",
            Answer.REFUSED: f"a MySQL server that refuses root without a password ({found.detail}; set "
                            "DB_USER/DB_PASSWORD to use it)",
            Answer.NOT_MYSQL: "something that is not a MySQL server"}[found.answer]
    if "DB_PORT" in os.environ:
        raise BootstrapError(f"DB_PORT={settings.db_port} (from the environment) is {what}; unset DB_PORT to let "
                             "make pick a free port, or set it to a free one.")
    port = choose_free_port(ports)
    write_env(place.env_file, {"DB_PORT": str(port)},
              f"127.0.0.1:{settings.db_port} is {what.split(' (')[0]}; the private server listens here")
    say(f"127.0.0.1:{settings.db_port} is {what}; using a private server on port {port} instead "
        f"(DB_PORT={port} written to {place.env_file.name})")
    return replace(settings, db_port=port)


@contextmanager
def _one_at_a_time(place: Place) -> Iterator[None]:
    """`make run` and `make test` started together must not both start a server."""
    place.data_dir.mkdir(parents=True, exist_ok=True)
    with open(place.data_dir / "bootstrap.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_server(settings: Settings, place: Place = PROJECT, ports: range = PRIVATE_PORTS) -> Settings:
    """Make a usable server answer; returns the settings that reach it (DB_PORT may have moved)."""
    with _one_at_a_time(place):
        found = probe(settings)
        if found.answer is Answer.READY:
            return settings
        _stop_unless_fixable(settings, found)
        if server_binary() is None:
            install_server()
            found = probe(settings)  # Debian's package starts its own service, maybe on this very port
            if found.answer is Answer.READY:
                return settings
            _stop_unless_fixable(settings, found)
        if found.answer is not Answer.NOTHING:
            settings = _move_port(settings, found, place, ports)
        start_private_server(settings, place)
        return settings


def main(argv: list[str]) -> int:
    try:
        if argv[1:] == ["stop"]:
            print("private database stopped" if stop_private_server() else "no private database running")
            return 0
        settings = ensure_server(load_settings())
    except BootstrapError as exc:
        print(f"bootstrap: {exc}", file=sys.stderr, flush=True)
        return 1
    say(f"database server ready at {settings.db_host}:{settings.db_port}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
