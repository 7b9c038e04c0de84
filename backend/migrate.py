"""Create the database and apply database/schema.sql (idempotent)."""
from __future__ import annotations

import re

from backend.config import ROOT, Settings
from backend.db import connect

SCHEMA_FILE = ROOT / "database" / "schema.sql"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def schema_statements() -> list[str]:
    """schema.sql split into statements (comment lines dropped; no statement holds a ';')."""
    text = "\n".join(line for line in SCHEMA_FILE.read_text().splitlines()
                     if not line.lstrip().startswith("--"))
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


def create_database(settings: Settings, name: str | None = None) -> None:
    name = name or settings.db_name
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    conn = connect(settings, database=None)
    try:
        with conn.cursor() as cur:
            # A name cannot be a placeholder; it is checked against _SAFE_NAME above.
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        conn.commit()
    finally:
        conn.close()


def drop_database(settings: Settings, name: str) -> None:
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    conn = connect(settings, database=None)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.commit()
    finally:
        conn.close()


def apply_schema(settings: Settings) -> int:
    """Apply every statement of schema.sql to settings.db_name; returns how many ran."""
    statements = schema_statements()
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            for stmt in statements:
                cur.execute(stmt)
        conn.commit()
    finally:
        conn.close()
    return len(statements)
