"""Repositories: the only modules that speak SQL. They take a connection and never commit."""
from __future__ import annotations

from typing import Any

import pymysql


class Repository:
    def __init__(self, conn: pymysql.Connection) -> None:
        self.conn = conn

    def _one(self, sql: str, args: Any = None) -> dict[str, Any] | None:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchone()

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
