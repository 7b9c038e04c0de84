"""Repositories: the only modules that speak SQL. They take a connection and never commit."""
from __future__ import annotations

from collections.abc import Callable, Sized
from typing import Any

import pymysql

from backend.db import Connection

DUPLICATE_KEY = 1062  # ER_DUP_ENTRY


def placeholders(values: Sized) -> str:
    """'%s, %s, %s' for an IN list of len(values): only the count is built into SQL, the values stay parameters."""
    return ", ".join(["%s"] * len(values))


def like(text: str) -> str:
    """A LIKE pattern matching text anywhere, with its own %, _ and backslash taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Repository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _one(self, sql: str, args: Any = None) -> dict[str, Any] | None:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchone()

    def _row(self, sql: str, args: Any = None) -> dict[str, Any]:
        """The row of a statement that always answers one (an aggregate without GROUP BY, SHOW CREATE TABLE)."""
        row = self._one(sql, args)
        if row is None:
            raise LookupError(f"no row from a statement that always has one: {sql[:60]}")
        return row

    def _all(self, sql: str, args: Any = None) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def _scalar(self, sql: str, args: Any = None) -> Any:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            row = cur.fetchone()
            return next(iter(row.values())) if row else None

    def _insert(self, sql: str, args: Any = None) -> int:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.lastrowid

    def _change(self, sql: str, args: Any = None) -> int:
        with self.conn.cursor() as cur:
            return cur.execute(sql, args)

    def _insert_many(self, sql: str, rows: list[tuple]) -> int:
        # PyMySQL folds executemany of one INSERT ... VALUES into multi-row statements.
        with self.conn.cursor() as cur:
            return cur.executemany(sql, rows) or 0

    @staticmethod
    def _unless_duplicate(write: Callable[[], int]) -> int | None:
        """write()'s answer, or None when it would break a unique key. Only that statement failed: the
        transaction goes on, so the caller can answer 409 (a race the service's own check cannot close)."""
        try:
            return write()
        except pymysql.err.IntegrityError as exc:
            if exc.args and exc.args[0] == DUPLICATE_KEY:
                return None
            raise
