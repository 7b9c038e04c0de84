"""Find or start a MySQL-compatible server for `make run` / `make test`.

Order: the server in DB_* settings if it answers; else a private server started from an installed
mariadbd/mysqld with its data in .data/ (installing Debian's mariadb-server first when no server
binary exists and we are root); else a clear message and exit status 1.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pymysql

from backend.config import ROOT, Settings, load_settings
from backend.db import connect

DATA_DIR = ROOT / ".data"
MYSQL_DIR = DATA_DIR / "mysql"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def server_answers(settings: Settings) -> bool:
    try:
        connect(settings, database=None).close()
        return True
    except pymysql.err.OperationalError as exc:
        if exc.args and exc.args[0] in (1044, 1045):  # it answers, but refuses these credentials
            sys.exit(f"The server at {settings.db_host}:{settings.db_port} refused DB_USER/DB_PASSWORD: {exc}")
        return False


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def _server_binary() -> str | None:
    return shutil.which("mariadbd") or shutil.which("mysqld") or next(
        (p for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld") if os.path.exists(p)), None)


def _install_server() -> str:
    if os.geteuid() != 0:
        sys.exit("No MySQL/MariaDB server answers and none is installed. Install one "
                 "(sudo apt-get install mariadb-server) or point DB_HOST/DB_PORT at a running server.")
    print("bootstrap: installing Debian's mariadb-server ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "mariadb-server"], check=True, env=env)
    binary = _server_binary()
    if binary is None:
        sys.exit("mariadb-server was installed but no mariadbd binary was found")
    return binary


def _initialise_datadir(binary: str) -> None:
    if (MYSQL_DIR / "mysql").exists():
        return
    MYSQL_DIR.mkdir(parents=True, exist_ok=True)
    user = ["--user=root"] if os.geteuid() == 0 else []
    installer = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if "mariadbd" in binary and installer:
        cmd = [installer, "--no-defaults", "--basedir=/usr", f"--datadir={MYSQL_DIR}",
               "--auth-root-authentication-method=normal", "--skip-test-db", *user]
    else:
        cmd = [binary, "--no-defaults", "--initialize-insecure", f"--datadir={MYSQL_DIR}", *user]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def start_private_server(settings: Settings) -> None:
    if settings.db_host not in LOCAL_HOSTS:
        sys.exit(f"No database answers at {settings.db_host}:{settings.db_port}; start it or fix DB_HOST.")
    if not _port_free("127.0.0.1", settings.db_port):
        sys.exit(f"Port {settings.db_port} is taken by something that is not a usable MySQL server.")
    binary = _server_binary() or _install_server()
    _initialise_datadir(binary)
    user = ["--user=root"] if os.geteuid() == 0 else []
    print(f"bootstrap: starting a private server ({binary}) on 127.0.0.1:{settings.db_port}, data in .data/",
          flush=True)
    log = open(DATA_DIR / "mysql.log", "ab")  # noqa: SIM115 - the server keeps writing after we return
    # --no-defaults: the system's my.cnf (its datadir, socket, user) is for the system's server.
    subprocess.Popen([binary, "--no-defaults", f"--datadir={MYSQL_DIR}", f"--port={settings.db_port}",
                      "--bind-address=127.0.0.1", f"--socket={DATA_DIR / 'mysql.sock'}",
                      f"--pid-file={DATA_DIR / 'mysql.pid'}", *user],
                     stdout=log, stderr=log, start_new_session=True)
    for _ in range(60):
        time.sleep(0.5)
        if server_answers(settings):
            return
    sys.exit("The private database server did not start; see .data/mysql.log")


def ensure_server(settings: Settings) -> None:
    if not server_answers(settings):
        start_private_server(settings)


if __name__ == "__main__":
    ensure_server(load_settings())
    print("bootstrap: database server ready", flush=True)
