"""SQL for backups: the catalogue of backup files, and reading or rewriting whole tables.

Table names here never come from a request: they come from information_schema of the
configured database (or from a backup file whose table list was checked against it) and are
quoted as identifiers by quote_name.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pymysql.cursors import SSCursor

from backend.repositories import Repository

ADD_BACKUP = """
INSERT INTO backups (filename, size_bytes, row_counts, created_by, created_at) VALUES (%s, %s, %s, %s, %s)"""
_BACKUP_COLUMNS = "b.id, b.filename, b.size_bytes, b.row_counts, b.created_by, u.username AS created_by_username, " \
                  "b.created_at"
# Backups, newest first.
LIST_BACKUPS = f"""
SELECT {_BACKUP_COLUMNS} FROM backups b LEFT JOIN users u ON u.id = b.created_by
ORDER BY b.id DESC LIMIT %s OFFSET %s"""
COUNT_BACKUPS = "SELECT COUNT(*) FROM backups"
GET_BACKUP = f"SELECT {_BACKUP_COLUMNS} FROM backups b LEFT JOIN users u ON u.id = b.created_by WHERE b.id = %s"
# The base tables of the connected database.
LIST_TABLES = """
SELECT table_name AS name FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name"""
# Snapshot reads: one transaction sees the database as of its start.
REPEATABLE_READ = "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"
START_SNAPSHOT = "START TRANSACTION WITH CONSISTENT SNAPSHOT"


def quote_name(name: str) -> str:
    """A MySQL identifier in backquotes (a backquote inside is doubled)."""
    return "`" + name.replace("`", "``") + "`"


class BackupRepository(Repository):
    def add_backup(self, filename: str, size_bytes: int, row_counts: str, created_by: int | None,
                   created_at: datetime) -> int:
        return self._insert(ADD_BACKUP, (filename, size_bytes, row_counts, created_by, created_at))

    def list_backups(self, limit: int, offset: int) -> list[dict[str, Any]]:
        return self._all(LIST_BACKUPS, (limit, offset))

    def count_backups(self) -> int:
        return int(self._scalar(COUNT_BACKUPS))

    def get_backup(self, backup_id: int) -> dict[str, Any] | None:
        return self._one(GET_BACKUP, (backup_id,))


class TableRepository(Repository):
    """Whole-table reads and writes for dump and restore, on a dedicated connection."""

    def start_snapshot(self) -> None:
        self._change(REPEATABLE_READ)
        self._change(START_SNAPSHOT)

    def list_tables(self) -> list[str]:
        return [row["name"] for row in self._all(LIST_TABLES)]

    def count_rows(self, table: str) -> int:
        return int(self._scalar(f"SELECT COUNT(*) FROM {quote_name(table)}"))

    def get_create_table(self, table: str) -> str:
        row = self._row(f"SHOW CREATE TABLE {quote_name(table)}")
        return row["Create Table"]

    def iter_rows(self, table: str) -> Iterator[tuple]:
        """Every row of a table as tuples, streamed from the server (not held in memory)."""
        with self.conn.cursor(SSCursor) as cur:
            cur.execute(f"SELECT * FROM {quote_name(table)}")
            yield from cur

    def literal(self, value: Any) -> str:
        """A value as an SQL literal, escaped by the driver for this connection's character set."""
        return self.conn.escape(value)

    def checksum_tables(self, tables: list[str]) -> dict[str, int | None]:
        rows = self._all("CHECKSUM TABLE " + ", ".join(quote_name(t) for t in tables))
        return {row["Table"].split(".", 1)[1]: row["Checksum"] for row in rows}

    def run_statement(self, sql: str) -> None:
        """Run one statement read from a checked backup file (restore only)."""
        with self.conn.cursor() as cur:
            cur.execute(sql)
