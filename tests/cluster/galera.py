"""A throwaway 3-node MariaDB Galera cluster and gunicorn app servers on loopback, for tests/cluster.

Every node has its own datadir, socket, pid file and ports under one temporary folder (owned by
the mysql user, as mariadbd and the rsync SST daemon drop to it); stop() kills what was started
and removes the folder. Never touches the system MariaDB or /etc/mysql.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

from backend.config import ROOT

MARIADBD = "/usr/sbin/mariadbd"
PROVIDER = "/usr/lib/galera/libgalera_smm.so"
# Galera's default ports often sit in TIME-WAIT here: a quieter range (24000-24999), where each run
# takes a block of 40 whose every port is free (sockets of an earlier run linger in TIME-WAIT).
PORT_RANGE = range(24000, 25000, 40)
# Loopback: a dead member is declared gone in ~2 s instead of the WAN-minded defaults (5 s, 15 s),
# so commits on the survivors stall no longer than a request's read timeout.
EVS = ("evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT1.5S;"
       "evs.inactive_timeout=PT3S;evs.install_timeout=PT3S;evs.join_retrans_period=PT0.5S")


def available() -> str:
    """Why the cluster cannot run here ('' when it can)."""
    for path in (MARIADBD, PROVIDER, shutil.which("mariadb-install-db"), shutil.which("rsync")):
        if not path or not os.path.exists(path):
            return f"missing {path or 'mariadb-install-db/rsync'}"
    if os.geteuid() != 0:
        return "needs root (mariadbd runs as the mysql user with datadirs owned by it)"
    return ""


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_block(size: int) -> int:
    """A base port whose node ports (base + 10 i + 0..3) are all free; CLUSTER_BASE_PORT forces one."""
    if os.environ.get("CLUSTER_BASE_PORT"):
        return int(os.environ["CLUSTER_BASE_PORT"])
    for base in random.sample(list(PORT_RANGE), len(PORT_RANGE)):
        if all(_port_free(base + 10 * i + k) for i in range(1, size + 1) for k in range(4)):
            return base
    raise RuntimeError("no free block of ports in 24000-24999")


class Node:
    def __init__(self, index: int, root: Path, base: int, gcomm_ports: list[int]) -> None:
        self.index = index
        self.dir = root / f"node{index}"
        self.port = base + 10 * index
        self.gcomm, self.ist, self.sst = self.port + 1, self.port + 2, self.port + 3
        self.gcomm_ports = gcomm_ports
        self.proc: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        cluster = ",".join(f"127.0.0.1:{p}" for p in self.gcomm_ports)
        cnf = self.dir / "my.cnf"
        cnf.write_text(f"""[mariadbd]
datadir={self.dir / 'data'}
socket={self.dir / 'mysql.sock'}
pid-file={self.dir / 'mysql.pid'}
log-error={self.dir / 'error.log'}
port={self.port}
bind-address=127.0.0.1
skip-name-resolve
performance_schema=OFF
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider={PROVIDER}
wsrep_cluster_name=shopwright-test
wsrep_cluster_address=gcomm://{cluster}
wsrep_node_name=node{self.index}
wsrep_node_address=127.0.0.1
wsrep_node_incoming_address=127.0.0.1:{self.port}
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:{self.sst}
wsrep_slave_threads=2
wsrep_log_conflicts=ON
wsrep_provider_options="base_port={self.gcomm};gmcast.listen_addr=tcp://127.0.0.1:{self.gcomm};ist.recv_addr=127.0.0.1:{self.ist};gcache.size=64M;{EVS}"
""")
        shutil.chown(cnf, "mysql", "mysql")
        return cnf

    def start(self, new_cluster: bool = False) -> None:
        args = [MARIADBD, f"--defaults-file={self.dir / 'my.cnf'}", "--user=mysql"]
        if new_cluster:
            args.append("--wsrep-new-cluster")
        with open(self.dir / "stdout.log", "ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL, as a crashed host."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None

    def connect(self, database: str | None = None, timeout: int = 2) -> pymysql.Connection:
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="", database=database,
                               connect_timeout=timeout, read_timeout=10, autocommit=True,
                               cursorclass=pymysql.cursors.DictCursor)

    def status(self) -> dict[str, str]:
        """wsrep status (cluster size, state); empty when the node does not answer."""
        try:
            conn = self.connect(timeout=1)
        except pymysql.err.MySQLError:
            return {}
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW GLOBAL STATUS WHERE Variable_name IN "
                            "('wsrep_cluster_size', 'wsrep_local_state_comment', 'wsrep_ready')")
                return {row["Variable_name"]: row["Value"] for row in cur.fetchall()}
        except pymysql.err.MySQLError:
            return {}
        finally:
            conn.close()

    def synced(self, size: int) -> bool:
        status = self.status()
        return (status.get("wsrep_local_state_comment") == "Synced" and status.get("wsrep_ready") == "ON"
                and status.get("wsrep_cluster_size") == str(size))


class Cluster:
    def __init__(self, size: int = 3) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="shopwright-galera-"))
        os.chmod(self.root, 0o755)  # mariadbd runs as mysql and must reach its folder
        base = _free_block(size)
        gcomm = [base + 10 * i + 1 for i in range(1, size + 1)]
        self.nodes = [Node(i, self.root, base, gcomm) for i in range(1, size + 1)]

    def start(self, timeout: float = 180) -> float:
        """Initialise, start node 1 as a new cluster, then the others; seconds until all are Synced."""
        started = time.monotonic()
        first = self.nodes[0]
        for node in self.nodes:
            node.dir.mkdir()
            shutil.chown(node.dir, "mysql", "mysql")
            node.write_config()
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={first.dir / 'data'}", "--user=mysql",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for node in self.nodes[1:]:
            # The joiners get node 1's data by SST anyway; a copy lets them start without installing.
            subprocess.run(["cp", "-a", str(first.dir / "data"), str(node.dir / "data")], check=True)
        first.start(new_cluster=True)
        self.wait(lambda: first.synced(1), timeout, "node 1 did not bootstrap")
        for node in self.nodes[1:]:
            node.start()
            self.wait(lambda n=node: n.synced(self.nodes.index(n) + 1), timeout, f"node {node.index} did not join")
        return time.monotonic() - started

    def wait(self, ready, timeout: float, message: str) -> float:
        started = time.monotonic()
        while not ready():
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{message} within {timeout} s; see {self.root}/node*/error.log")
            time.sleep(0.5)
        return time.monotonic() - started

    def all_synced(self) -> bool:
        return all(node.synced(len(self.nodes)) for node in self.nodes)

    def stop(self) -> None:
        for node in self.nodes:
            with contextlib.suppress(Exception):
                node.stop()
        if os.environ.get("CLUSTER_KEEP_LOGS"):  # for a post-mortem: the folder stays, no server runs
            print(f"cluster logs kept in {self.root}", file=sys.stderr)
            return
        shutil.rmtree(self.root, ignore_errors=True)


class AppServer:
    """The shop served by gunicorn as `make run` serves it, on a port of its own."""

    def __init__(self, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.port = port
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)}
        self.log = log_dir / f"app-{port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([gunicorn, "-c", "backend/gunicorn_conf.py", "backend.wsgi:app"],
                                         cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn on {self.port} did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self.proc = None
