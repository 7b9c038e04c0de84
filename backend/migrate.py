"""Create the database and bring it to the current schema: schema.sql for a new one, migrations for an old one.

database/schema.sql is the whole current schema; database/migrations/NNNN.<name>.sql (plain SQL, each
safe to re-run) bring a database made by any earlier release up to it, starting from the first release
(database/baseline.sql). yoyo-migrations applies them in file-name order and records each one in its
own tables (_yoyo_migration, _yoyo_log, _yoyo_version, and yoyo_lock for its lock), so it is the same
record whether `flask init-db`, `flask migrate` or the `yoyo` command line did the work.
"""
from __future__ import annotations

import getpass
import logging
import os
import re
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from yoyo import get_backend
from yoyo import read_migrations as yoyo_read
from yoyo.exceptions import LockTimeout

from backend.config import ROOT, Settings
from backend.db import maintenance_connect
from backend.repositories import placeholders

SCHEMA_FILE = ROOT / "database" / "schema.sql"
MIGRATIONS_DIR = ROOT / "database" / "migrations"
BASELINE_FILE = ROOT / "database" / "baseline.sql"
# yoyo's bookkeeping: the applied migrations, their log, yoyo's own schema version, its lock.
YOYO_TABLES = ("_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock")
# Seconds one process waits for another's migration lock before giving up (LockTimeout).
LOCK_SECONDS = 120
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_CREATE_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS\s+`?(\w+)`?", re.IGNORECASE)
# Which of the named tables the database holds.
LIST_TABLES = ("SELECT table_name AS name FROM information_schema.tables "
               "WHERE table_schema = DATABASE() AND table_name IN ({})")


@dataclass(frozen=True)
class MigrationReport:
    """What apply_schema did: a new database got schema.sql (fresh) or an existing one got `applied`."""

    fresh: bool
    applied: list[str]
    statements: int = 0


def schema_statements() -> list[str]:
    """schema.sql split into statements (comment lines dropped; no statement holds a ';')."""
    return sql_statements(SCHEMA_FILE.read_text())


def sql_statements(text: str) -> list[str]:
    """Statements of a schema file whose statements hold no ';' (comment lines dropped)."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
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


def yoyo_url(settings: Settings, hide_password: bool = False) -> str:
    """The yoyo database URL for settings (mysql:// is yoyo's PyMySQL backend); user and password quoted.

    The same URL works with the yoyo command line:
    yoyo apply --batch --no-config-file --database URL database/migrations
    """
    if not _SAFE_NAME.match(settings.db_name):
        raise ValueError(f"unsafe database name: {settings.db_name!r}")
    password = "***" if hide_password and settings.db_password else quote(settings.db_password, safe="")
    auth = f"{quote(settings.db_user, safe='')}:{password}"
    # As backend.db.connect: no TLS handshake unless DB_SSL asks for it (then PyMySQL uses TLS when
    # the server offers it; yoyo's URL cannot say "TLS without a CA file, but required").
    query = "" if settings.db_ssl else "?" + urlencode({"ssl_disabled": "1"})
    host = settings.db_host if ":" not in settings.db_host else f"[{settings.db_host}]"
    return f"mysql://{auth}@{host}:{settings.db_port}/{settings.db_name}{query}"


def _backend(settings: Settings) -> Any:
    _ensure_login_name()
    # yoyo logs every statement at INFO; init-db and migrate print which migrations ran.
    logging.getLogger("yoyo.migrations").setLevel(logging.WARNING)
    return get_backend(yoyo_url(settings))


def _ensure_login_name() -> None:
    # yoyo logs who migrated with getpass.getuser(), which raises in a container whose uid has no
    # passwd entry and no USER/LOGNAME: name the uid instead of failing the migration.
    try:
        getpass.getuser()
    except (KeyError, OSError):
        os.environ.setdefault("LOGNAME", f"uid-{os.getuid()}")


def read_migrations() -> Any:
    """Every migration under database/migrations, in file-name order (a yoyo MigrationList)."""
    return yoyo_read(str(MIGRATIONS_DIR))


def migration_status(settings: Settings) -> list[dict[str, Any]]:
    """Each migration file with whether this database has it recorded as applied."""
    backend = _backend(settings)
    try:
        applied = set(backend.get_applied_migration_hashes())
        return [{"id": m.id, "applied": m.hash in applied} for m in read_migrations()]
    finally:
        backend.connection.close()


class MigrationError(RuntimeError):
    """The database is in no state the migrations can start from."""


def baseline_tables() -> set[str]:
    """The tables of the first release (database/baseline.sql)."""
    return _table_names(sql_statements(BASELINE_FILE.read_text()))


def present_tables(settings: Settings) -> set[str]:
    """The shop's tables (of schema.sql or of the first release) that the database holds."""
    names = sorted(_table_names(schema_statements()) | baseline_tables())
    conn = maintenance_connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(LIST_TABLES.format(placeholders(names)), names)
            return {row["name"] for row in cur.fetchall()}
    finally:
        conn.close()


def _table_names(statements: list[str]) -> set[str]:
    return {m.group(1) for stmt in statements if (m := _CREATE_TABLE.search(stmt))}


def apply_schema(settings: Settings) -> MigrationReport:
    """Bring settings.db_name to the current schema (the one entry point: init-db, migrate, tests).

    A database with none of the shop's tables gets schema.sql, and every migration is recorded as
    applied (schema.sql already holds them). A database with the shop's tables gets the migrations
    not yet recorded, in order. Both run under yoyo's lock, so two starting servers do it once.
    Raises MigrationError for a database without records that lacks some first-release table.
    """
    backend = _backend(settings)
    try:
        with ExitStack() as held:
            try:
                held.enter_context(backend.lock(timeout=LOCK_SECONDS))
            except LockTimeout as exc:
                raise MigrationError(f"{exc}. Another process has been migrating for {LOCK_SECONDS} s, or a killed "
                                     "one left its lock row: yoyo break-lock removes it (README, Migrations).") from exc
            pending = backend.to_apply(read_migrations())
            present = present_tables(settings)
            if not present:
                count = _run_statements(settings, schema_statements())
                backend.mark_migrations(pending)
                return MigrationReport(fresh=True, applied=[], statements=count)
            _check_starting_point(backend, present)
            backend.apply_migrations(pending)
            return MigrationReport(fresh=False, applied=[m.id for m in pending])
    finally:
        backend.connection.close()


def _check_starting_point(backend: Any, present: set[str]) -> None:
    # Without records the database must come from a release before migrations, and every such
    # release had all of the first release's tables. Some missing means something else (a first
    # init-db cut off half way): migrating it would record success over a database lacking tables.
    missing = baseline_tables() - present
    if missing and not backend.get_applied_migration_hashes():
        raise MigrationError(
            f"the database has some of the shop's tables but not {', '.join(sorted(missing))}, and no "
            "migration records: it was made by no release (an interrupted first init-db?). Drop it and "
            "run init-db again, or restore a backup.")


def _run_statements(settings: Settings, statements: list[str]) -> int:
    conn = maintenance_connect(settings)
    try:
        with conn.cursor() as cur:
            for stmt in statements:
                cur.execute(stmt)
        conn.commit()
    finally:
        conn.close()
    return len(statements)
