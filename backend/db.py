"""Connection pool and unit of work: the only place that opens database connections."""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pymysql
from pymysql.constants import SERVER_STATUS
from pymysql.cursors import DictCursor

from backend.config import Settings
from backend.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

# Codes that mean "this server is gone or cannot serve", not "this statement failed": client-side
# connection errors, a server shutting down (1053) or killing our connection (1927), and a Galera
# node that lost the cluster's quorum (1047, "WSREP has not yet prepared node for application use").
_LOST_CODES = {2003, 2006, 2013, 2055, 1047, 1053, 1927}
CONNECTION_ERRORS = (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError)

if TYPE_CHECKING:  # PyMySQL's Connection is generic (over its cursor class) only in its type stubs
    _PyMySQLConnection = pymysql.connections.Connection[DictCursor]
else:
    _PyMySQLConnection = pymysql.connections.Connection


class Connection(_PyMySQLConnection):
    """Every connection the shop opens: PyMySQL's, with dict rows, and what connect and the pool note on it."""

    server_status: int  # set by PyMySQL from each answer (the stubs leave it out)
    galera = False  # a Galera cluster node (asked once, at connect)
    last_used = 0.0  # time.monotonic() when the pool last took it back


def is_connection_error(exc: BaseException) -> bool:
    """True when exc means the connection is unusable (so it is discarded and the DB reported down)."""
    if isinstance(exc, pymysql.err.OperationalError):
        return bool(exc.args) and exc.args[0] in _LOST_CODES
    return isinstance(exc, (pymysql.err.InterfaceError, OSError))


def connect(settings: Settings, database: str | None = "", address: tuple[str, int] | None = None,
            **extra: Any) -> Connection:
    """Open one tuned connection (to address, else DB_HOST:DB_PORT); database=None connects without selecting one."""
    host, port = address or (settings.db_host, settings.db_port)
    params: dict[str, Any] = dict(
        host=host, port=port, user=settings.db_user,
        password=settings.db_password, charset="utf8mb4", cursorclass=DictCursor,
        autocommit=False, connect_timeout=settings.db_connect_timeout,
        read_timeout=settings.db_read_timeout, write_timeout=settings.db_read_timeout,
    )
    if database is not None:
        params["database"] = database or settings.db_name
    # PyMySQL builds a TLS context on every connect (~20 ms) unless told not to.
    if not settings.db_ssl:
        params["ssl_disabled"] = True
    else:
        params["ssl"] = {"ca": None}
    params.update(extra)
    conn = Connection(**params)
    try:
        _prepare_session(conn, settings.db_statement_seconds)
    except BaseException:
        _close_quietly(conn)
        raise
    return conn


def maintenance_connect(settings: Settings, database: str | None = "") -> Connection:
    """A connection for schema changes and whole-database work, which outlast the web's short bounds."""
    return connect(replace(settings, db_statement_seconds=24 * 3600, db_read_timeout=3600), database)


def _prepare_session(conn: Connection, statement_seconds: int) -> None:
    # UTC everywhere, strict SQL, and a server-side bound on every statement: a gunicorn
    # timeout does not stop a running query, so the server must. One round trip.
    is_maria = "mariadb" in conn.get_server_info().lower()
    limit = (f"max_statement_time = {int(statement_seconds)}" if is_maria
             else f"MAX_EXECUTION_TIME = {int(statement_seconds) * 1000}")
    conn.query("SET SESSION time_zone = '+00:00', SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,"
               f"NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', SESSION {limit}")
    conn.galera = is_maria and _wsrep_on(conn)
    if conn.galera:
        _require_ready(conn)
        # Read-your-writes behind a load balancer: a read waits until this node has applied every
        # write the cluster committed before it (a write made through another node included).
        conn.query("SET SESSION wsrep_sync_wait = 1")
    if in_transaction(conn):
        conn.commit()


def _wsrep_on(conn: Connection) -> bool:
    """True when the server is a Galera cluster node (asked once per connection)."""
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute("SELECT @@wsrep_on")
        row = cur.fetchone()
    return bool(row and row[0])


def _require_ready(conn: Connection) -> None:
    """Raise 1047 (a lost-connection code) unless this Galera node is in the primary component:
    a node cut off from the others accepts connections but refuses queries, so the next is tried."""
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute("SHOW STATUS LIKE 'wsrep_ready'")
        row = cur.fetchone()
    if not row or row[1] != "ON":
        raise pymysql.err.OperationalError(1047, "WSREP has not yet prepared node for application use")


class Nodes:
    """The database nodes (settings.db_addresses) and the one in use, shared by the pool and the probe.

    A connection goes to the node in use; when that one cannot be reached, to the next in the list,
    which then becomes the node in use (sticky: no flapping back while the first is restarting).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.addresses = settings.db_addresses
        self._current = 0

    @property
    def current(self) -> str:
        host, port = self.addresses[self._current]
        return f"{host}:{port}"

    def connect(self, **extra: Any) -> Connection:
        """A connection to the node in use, else to the first other node that answers; raises the last error."""
        start, count = self._current, len(self.addresses)
        error: BaseException | None = None
        for step in range(count):
            index = (start + step) % count
            try:
                conn = connect(self.settings, address=self.addresses[index], **extra)
            except BaseException as exc:
                if not is_connection_error(exc):
                    raise
                error = exc
                continue
            if index != self._current:
                log.warning("database node %s unreachable; using %s", self.current, self._label(index))
                self._current = index
            return conn
        assert error is not None  # there is at least one address, and each one failed
        raise error

    def _label(self, index: int) -> str:
        host, port = self.addresses[index]
        return f"{host}:{port}"


def in_transaction(conn: Connection) -> bool:
    """True while the server holds an open transaction on conn (from the status of its last answer)."""
    return bool(conn.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS)


# Statements that neither write nor lock: run on their own (autocommit), each sees the latest commits.
_READ_START = re.compile(r"^[\s(]*(SELECT|SHOW|EXPLAIN|DESCRIBE|DESC|WITH)\b", re.IGNORECASE)
_NOT_PLAIN = re.compile(r"\bFOR\s+UPDATE\b|\bFOR\s+SHARE\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|"
                        r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def is_plain_read(sql: str) -> bool:
    """True for a statement that reads without locking; anything unsure counts as a write."""
    return bool(_READ_START.match(sql)) and not _NOT_PLAIN.search(sql)


class UnitCursor(DictCursor):
    """The pool's cursor: opens the transaction just before the first statement that writes or locks.

    Pooled connections run in autocommit mode, so plain reads need no BEGIN before them and no
    ROLLBACK after them (two round trips saved on every read-only request), and a reused
    connection can never hand a request an old REPEATABLE READ snapshot.
    """

    def execute(self, query: Any, args: Any = None) -> int:
        conn = cast(Connection, self.connection)  # only the pool's connections use this cursor
        if not in_transaction(conn) and not is_plain_read(query if isinstance(query, str) else query.decode()):
            conn.begin()
        return super().execute(query, args)


class Pool:
    """A per-process pool that fails fast instead of queueing behind a stalled database.

    - At most `size` threads hold a connection at once (below gunicorn's thread count, so some
      threads are always left for health, pages and static files).
    - A request waits for a busy pool only while connections keep coming back; when none has come
      back for STALLED_AFTER seconds every holder is stuck, and the request gets 503 at once.
    - After a connection is lost, idle connections are dropped and only one request at a time
      (the probe) tries the database; the others get 503 at once until it succeeds.
    - A connection idle longer than db_ping_idle_seconds is pinged before use; others are not.
    """

    STALLED_AFTER = 0.5

    def __init__(self, settings: Settings, size: int | None = None, nodes: Nodes | None = None) -> None:
        self.settings = settings
        self.size = size or settings.db_pool_size
        self.nodes = nodes or Nodes(settings)
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._idle: list[Connection] = []  # LIFO: the warmest connection first
        self._busy = 0
        self._last_move = time.monotonic()  # a connection was last taken or given back
        self._down = False  # a connection was lost and no probe has succeeded since
        self._probing = False

    def _reset_after_fork(self) -> None:
        # Connections inherited from a gunicorn master must not be shared by workers.
        if os.getpid() != self._pid:
            self._reset()

    @property
    def down(self) -> bool:
        return self._down

    def acquire(self, timeout: float | None = None) -> Connection:
        """Take a live connection; raises DatabaseUnavailable when none can be had in time."""
        self._reset_after_fork()
        wait = self.settings.db_acquire_timeout if timeout is None else timeout
        with self._lock:
            probe = self._take_slot(wait)
            conn = self._idle.pop() if self._idle else None
        try:
            conn = self._make_ready(conn, check=probe)
        except BaseException as exc:
            self._give_back_slot(lost=is_connection_error(exc), probe=probe)
            # Unreachable, or answering but refusing us (unknown database, access denied, too many
            # connections): either way this request can only be told to come back later.
            if is_connection_error(exc) or isinstance(exc, pymysql.err.OperationalError):
                log.warning("database unavailable: %s %s", type(exc).__name__, exc.args[:1])
                raise DatabaseUnavailable() from exc
            raise
        if probe:
            with self._lock:
                self._down = self._probing = False
            log.warning("database reachable again")
        return conn

    def _take_slot(self, wait: float) -> bool:
        """Reserve a slot (lock held); True when this caller is the probe after an outage."""
        probe = False
        if self._down:
            if self._probing:
                raise DatabaseUnavailable()
            self._probing = probe = True
        deadline = time.monotonic() + wait
        while self._busy >= self.size:
            remaining = min(deadline, self._last_move + self.STALLED_AFTER) - time.monotonic()
            if remaining <= 0:
                if probe:
                    self._probing = False
                raise DatabaseUnavailable("All database connections are busy.")
            self._freed.wait(remaining)
        self._busy += 1
        self._last_move = time.monotonic()
        return probe

    def _make_ready(self, conn: Connection | None, check: bool) -> Connection:
        """conn made usable: a new one when None, pinged first when idle long or when check is set."""
        if conn is None:
            return self._connect()
        if not check and time.monotonic() - conn.last_used <= self.settings.db_ping_idle_seconds:
            return conn
        started = time.monotonic()
        try:
            conn.ping(reconnect=False)
            return conn
        except CONNECTION_ERRORS:
            _close_quietly(conn)
            # Closed while idle (server restart, wait_timeout): one fresh try. A ping that timed
            # out means a stalled server, and a second wait would break the 5 s promise.
            if time.monotonic() - started >= self.settings.db_connect_timeout / 2:
                raise
            return self._connect()

    def _connect(self) -> Connection:
        conn = self.nodes.connect(autocommit=True, cursorclass=UnitCursor)
        conn.last_used = time.monotonic()
        return conn

    def release(self, conn: Connection, broken: bool = False) -> None:
        """Give conn back (broken: close it; the database is then treated as down until a probe succeeds)."""
        lost = broken or not conn.open
        if lost:
            _close_quietly(conn)
        else:
            conn.last_used = time.monotonic()
        self._give_back_slot(lost=lost, conn=None if lost else conn)

    def _give_back_slot(self, lost: bool, conn: Connection | None = None, probe: bool = False) -> None:
        stale: list[Connection] = []
        with self._lock:
            self._busy -= 1
            self._last_move = time.monotonic()
            if probe:
                self._probing = False
            if lost:
                # The others idle beside it may be dead or stuck too (server restart, stall).
                self._down, stale, self._idle = True, self._idle, []
            elif conn is not None:
                self._idle.append(conn)
            self._freed.notify()
        for idle in stale:
            _close_quietly(idle)

    def close(self) -> None:
        with self._lock:
            stale, self._idle = self._idle, []
        for conn in stale:
            _close_quietly(conn)


def _close_quietly(conn: Connection) -> None:
    with contextlib.suppress(Exception):  # already broken; nothing to save
        conn.close()


class UnitOfWork:
    """One connection, one transaction: commit() must be called, anything else rolls back.

    The transaction opens at the first statement that writes or locks (UnitCursor); a unit that
    only read has nothing to commit or roll back, so it ends without a round trip.
    """

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._conn: Connection | None = None
        self.committed = False

    @property
    def conn(self) -> Connection:
        """The unit's connection, held from entering its with block to leaving it."""
        if self._conn is None:
            raise RuntimeError("a unit of work is used outside its with block")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        self._conn = self._pool.acquire()
        self.committed = False
        return self

    def commit(self) -> None:
        if in_transaction(self.conn):
            self.conn.commit()
            _attempt.committed = True
        self.committed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        conn, self._conn = self.conn, None
        lost = exc is not None and is_connection_error(exc)
        if not lost and conn.open and in_transaction(conn):
            try:
                conn.rollback()
            except CONNECTION_ERRORS:
                lost = True
        self._pool.release(conn, broken=lost)
        if lost and exc is not None:
            raise DatabaseUnavailable() from exc


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False


class Probe:
    """Is the database answering? Checked on its own connection with short timeouts.

    Never queued behind the pool (whose connections may all be stuck), and single-flight: checks
    that arrive while one is running share its answer, so at most one thread per process waits.
    """

    def __init__(self, settings: Settings, nodes: Nodes | None = None) -> None:
        self.settings = settings
        self.nodes = nodes or Nodes(settings)
        self.cluster_size: int | None = None  # wsrep_cluster_size at the last check; None off Galera
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._conn_node = ""
        self._flight: _Flight | None = None
        self._last_ok = True

    def alive(self) -> bool:
        """True when the database answered within settings.health_timeout."""
        if os.getpid() != self._pid:
            self._reset()
        with self._lock:
            leader = self._flight is None
            flight = self._flight = self._flight or _Flight()
        if not leader:
            # While the last check failed, the database is known down: answer now instead of
            # holding another thread for the re-check's full timeout.
            if not self._last_ok:
                return False
            return flight.done.wait(self.settings.health_timeout + 0.5) and flight.ok
        try:
            flight.ok = self._check()
        finally:
            with self._lock:
                self._flight, self._last_ok = None, flight.ok
            flight.done.set()
        return flight.ok

    def _check(self) -> bool:
        # The probe asks the node the pool uses: a connection to another (from before a failover) goes.
        if self._conn is not None and self._conn_node != self.nodes.current:
            self._drop()
        fresh, started = self._conn is None, time.monotonic()
        try:
            return self._ask()
        except (pymysql.err.MySQLError, OSError) as exc:
            self._drop()
            # An old connection whose node died at once (refused, reset): one fresh try, which fails
            # over to the next node. A timeout means a stalled server: no second wait.
            quick = time.monotonic() - started < self.settings.health_timeout / 2
            if fresh or not quick or len(self.nodes.addresses) == 1:
                log.warning("health check: database not answering: %s", type(exc).__name__)
                return False
        try:
            return self._ask()
        except (pymysql.err.MySQLError, OSError) as exc:
            self._drop()
            log.warning("health check: database not answering: %s", type(exc).__name__)
            return False

    def _ask(self) -> bool:
        limit = self.settings.health_timeout
        if self._conn is None:
            # A fresh connection proves the server answers; no ping needed on top.
            self._conn = self.nodes.connect(connect_timeout=limit, read_timeout=limit, write_timeout=limit)
            self._conn_node = self.nodes.current
        elif not self._conn.galera:
            self._conn.ping(reconnect=False)
        if self._conn.galera:
            # Also the check that the node still serves (in the primary component).
            with self._conn.cursor() as cur:
                cur.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_ready')")
                status = {row["Variable_name"]: row["Value"] for row in cur.fetchall()}
            if status.get("wsrep_ready") != "ON":
                raise pymysql.err.OperationalError(1047, "WSREP has not yet prepared node for application use")
            self.cluster_size = int(status["wsrep_cluster_size"])
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            _close_quietly(self._conn)
        self._conn = None


class Database:
    """What services hold: the pool, a factory for units of work, and the health probe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nodes = Nodes(settings)
        self.pool = Pool(settings, nodes=self.nodes)
        self.probe = Probe(settings, nodes=self.nodes)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.pool)

    @contextmanager
    def cursor(self) -> Iterator[DictCursor]:
        """A cursor in its own committed unit of work, for one-off scripts and tests."""
        with self.uow() as uow, uow.conn.cursor() as cur:
            yield cur
            uow.commit()


# Retried by run_retrying: InnoDB's deadlock victim and Galera's certification conflict (both 1213,
# at any statement or at COMMIT), and a lock wait that timed out (1205).
CONFLICT_CODES = {1213, 1205}
RETRY_ATTEMPTS = 5
RETRY_PAUSE = 0.02  # seconds; doubled per attempt, jittered


def is_conflict(exc: BaseException) -> bool:
    """True when exc means "this transaction lost a race": it was rolled back and may simply run again."""
    return isinstance(exc, pymysql.err.OperationalError) and bool(exc.args) and exc.args[0] in CONFLICT_CODES


class _Attempt(threading.local):
    """This thread's running attempt: whether a retrying runner is active and a unit of it committed."""

    active = False
    committed = False


_attempt = _Attempt()


def in_retried_unit() -> bool:
    """True while this thread runs inside run_retrying."""
    return _attempt.active


def run_retrying(fn: Callable[[], T], attempts: int = RETRY_ATTEMPTS, pause: float = RETRY_PAUSE) -> T:
    """fn(), run again (bounded, with jittered backoff) when a unit of work in it lost a race (is_conflict).

    The one place transactions are retried. fn is rerun only while no unit of work of the current
    attempt has committed: work that is already durable is never done twice, so a conflict after
    it is passed on. Work that commits several units retries each one with its own run_retrying.
    """
    outer_active, outer_committed = _attempt.active, _attempt.committed
    try:
        for attempt in range(1, attempts + 1):
            _attempt.active, _attempt.committed = True, False
            try:
                return fn()
            except pymysql.err.OperationalError as exc:
                if not is_conflict(exc) or _attempt.committed or attempt == attempts:
                    raise
                log.info("transaction conflict %s, attempt %s of %s; retrying", exc.args[0], attempt, attempts)
            # Full jitter: racers that collided once do not collide again in lock step.
            time.sleep(random.uniform(0, pause * 2 ** attempt))
        raise AssertionError("unreachable")
    finally:
        _attempt.active, _attempt.committed = outer_active, outer_committed or _attempt.committed
