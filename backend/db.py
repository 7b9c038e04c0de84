"""Connection pool and unit of work: the only place that opens database connections."""
from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymysql
from pymysql.cursors import DictCursor

from backend.config import Settings
from backend.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

# Client error codes that mean "the server is gone or unreachable", not "this statement failed".
_LOST_CODES = {2003, 2006, 2013, 2055}
CONNECTION_ERRORS = (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError)


def is_connection_error(exc: BaseException) -> bool:
    """True when exc means the connection is unusable (so it is discarded and the DB reported down)."""
    if isinstance(exc, pymysql.err.OperationalError):
        return bool(exc.args) and exc.args[0] in _LOST_CODES
    return isinstance(exc, (pymysql.err.InterfaceError, OSError))


def connect(settings: Settings, database: str | None = "", **extra: Any) -> pymysql.Connection:
    """Open one tuned connection; database=None connects without selecting one."""
    params: dict[str, Any] = dict(
        host=settings.db_host, port=settings.db_port, user=settings.db_user,
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
    conn = pymysql.connect(**params)
    _prepare_session(conn, settings.db_statement_seconds)
    return conn


def _prepare_session(conn: pymysql.Connection, statement_seconds: int) -> None:
    # UTC everywhere, strict SQL, and a server-side bound on every statement: a gunicorn
    # timeout does not stop a running query, so the server must.
    is_maria = "mariadb" in conn.get_server_info().lower()
    limit = (f"SET SESSION max_statement_time = {int(statement_seconds)}" if is_maria
             else f"SET SESSION MAX_EXECUTION_TIME = {int(statement_seconds) * 1000}")
    with conn.cursor() as cur:
        cur.execute("SET SESSION time_zone = '+00:00'")
        cur.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,"
                    "NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'")
        cur.execute(limit)
    conn.commit()


class Pool:
    """A per-process pool of persistent connections, health-checked when taken."""

    def __init__(self, settings: Settings, size: int | None = None) -> None:
        self.settings = settings
        self.size = size or settings.db_pool_size
        self._idle: queue.LifoQueue[pymysql.Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)
        self._pid = os.getpid()

    def _reset_after_fork(self) -> None:
        # Connections inherited from a gunicorn master must not be shared by workers.
        if os.getpid() != self._pid:
            self._idle = queue.LifoQueue()
            self._slots = threading.BoundedSemaphore(self.size)
            self._pid = os.getpid()

    def acquire(self, timeout: float = 10.0) -> pymysql.Connection:
        """Take a live connection; raises DatabaseUnavailable when none can be had."""
        self._reset_after_fork()
        if not self._slots.acquire(timeout=timeout):
            raise DatabaseUnavailable("All database connections are busy.")
        try:
            return self._take_live()
        except CONNECTION_ERRORS as exc:
            self._slots.release()
            log.warning("database unreachable: %s", type(exc).__name__)
            raise DatabaseUnavailable() from exc
        except BaseException:
            self._slots.release()
            raise

    def _take_live(self) -> pymysql.Connection:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return connect(self.settings)
            try:
                conn.ping(reconnect=False)
                return conn
            except CONNECTION_ERRORS:
                _close_quietly(conn)

    def release(self, conn: pymysql.Connection, broken: bool = False) -> None:
        if broken or not conn.open:
            _close_quietly(conn)
        else:
            self._idle.put(conn)
        self._slots.release()

    def close(self) -> None:
        while True:
            try:
                _close_quietly(self._idle.get_nowait())
            except queue.Empty:
                return


def _close_quietly(conn: pymysql.Connection) -> None:
    with contextlib.suppress(Exception):  # already broken; nothing to save
        conn.close()


class UnitOfWork:
    """One connection, one transaction: commit() must be called, anything else rolls back."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self.conn: pymysql.Connection | None = None
        self.committed = False

    def __enter__(self) -> UnitOfWork:
        self.conn = self._pool.acquire()
        self.committed = False
        return self

    def commit(self) -> None:
        self.conn.commit()
        self.committed = True

    def __exit__(self, exc_type, exc, tb) -> None:
        lost = exc is not None and is_connection_error(exc)
        if not self.committed and not lost:
            try:
                self.conn.rollback()
            except CONNECTION_ERRORS:
                lost = True
        self._pool.release(self.conn, broken=lost)
        self.conn = None
        if lost and exc is not None:
            raise DatabaseUnavailable() from exc


class Database:
    """What services hold: the pool and a factory for units of work."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = Pool(settings)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.pool)

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless a live connection can be taken (the pool pings it)."""
        with self.uow():
            pass

    @contextmanager
    def cursor(self) -> Iterator[DictCursor]:
        """A cursor in its own committed unit of work, for one-off scripts and tests."""
        with self.uow() as uow, uow.conn.cursor() as cur:
            yield cur
            uow.commit()


def retry_on_deadlock(fn, attempts: int = 3, pause: float = 0.02):
    """Run fn() again when InnoDB picks its transaction as a deadlock victim (1213) or lock wait times out (1205)."""
    for attempt in range(attempts):
        try:
            return fn()
        except pymysql.err.OperationalError as exc:
            if exc.args[0] not in (1213, 1205) or attempt == attempts - 1:
                raise
            time.sleep(pause * (attempt + 1))
