"""Create the database and apply database/schema.sql (idempotent)."""
from __future__ import annotations

import re

from backend.config import ROOT, Settings
from backend.db import maintenance_connect

SCHEMA_FILE = ROOT / "database" / "schema.sql"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
# Columns added after a table's first release: CREATE TABLE IF NOT EXISTS leaves an existing table
# as it was, so these are added when missing. (table, column, ALTER clause): literals only.
ADDED_COLUMNS = [
    ("email_outbox", "claimed_by", "ADD COLUMN claimed_by CHAR(32) NULL, ADD KEY ix_outbox_claimed (claimed_by)"),
]
HAS_COLUMN = ("SELECT COUNT(*) AS n FROM information_schema.columns "
              "WHERE table_schema = DATABASE() AND table_name = %s AND column_name = %s")


def schema_statements() -> list[str]:
    """schema.sql split into statements (comment lines dropped; no statement holds a ';')."""
    text = "\n".join(line for line in SCHEMA_FILE.read_text().splitlines()
                     if not line.lstrip().startswith("--"))
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


def create_database(settings: Settings, name: str | None = None) -> None:
    _run_on_server(settings, "CREATE DATABASE IF NOT EXISTS `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                   name or settings.db_name)


def drop_database(settings: Settings, name: str) -> None:
    _run_on_server(settings, "DROP DATABASE IF EXISTS `{}`", name)


def _run_on_server(settings: Settings, template: str, name: str) -> None:
    # A database name cannot be a placeholder, so it must pass _SAFE_NAME before it is formatted in.
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    conn = maintenance_connect(settings, database=None)
    try:
        with conn.cursor() as cur:
            cur.execute(template.format(name))
        conn.commit()
    finally:
        conn.close()


def apply_schema(settings: Settings) -> int:
    """Apply every statement of schema.sql to settings.db_name; returns how many ran."""
    statements = schema_statements()
    conn = maintenance_connect(settings)
    try:
        with conn.cursor() as cur:
            for stmt in statements:
                cur.execute(stmt)
            for table, column, clause in ADDED_COLUMNS:
                cur.execute(HAS_COLUMN, (table, column))
                if not cur.fetchone()["n"]:
                    cur.execute(f"ALTER TABLE {table} {clause}")
        conn.commit()
    finally:
        conn.close()
    return len(statements)
