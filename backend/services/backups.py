"""Full logical backups of the database (schema and data of every table) and their restore.

A backup is an SQL file: a header line naming this format, the schema's fingerprint and the
tables it holds, the dump itself (mysqldump --single-transaction when that binary works against
the configured server, else our own dump inside one REPEATABLE READ snapshot), and a trailer
line with the row counts, so a truncated file is refused as surely as a foreign one.
The `backups` table itself is left out: it is the catalogue of these files, not shop data, and
a restore must not forget the backups made after the one being restored.
The product image files go in a folder next to the SQL file (see backend.services.backup_media); a
restore brings them back with the rows, and a backup without that folder restores its rows alone.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from backend import errors
from backend.context import Actor
from backend.db import maintenance_connect
from backend.media_store import MediaStore
from backend.migrate import schema_statements
from backend.repositories.backups import BackupRepository, TableRepository, quote_name
from backend.repositories.images import ImageRepository
from backend.schemas.common import paged
from backend.services.audit import record
from backend.services.backup_media import check_media, count_media, media_folder, restore_media, save_media
from backend.services.base import Progress, Service, found

MARKER = "-- shopwright-backup v1"
END_MARKER = "-- shopwright-backup-end"
EXCLUDED = frozenset({"backups"})
ROWS_PER_INSERT = 500
_CREATE_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS\s+`?(\w+)`?", re.IGNORECASE)
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL)
_ROW_BREAK = re.compile(r"\)\s*,\s*\(")
_INSERT = re.compile(r"^INSERT INTO `((?:[^`]|``)+)`", re.IGNORECASE)
# MariaDB 10.11+ dumps start with a client-only "sandbox mode" line the server does not understand.
_CLIENT_ONLY = re.compile(r"^/\*M?!999999\\- ")

log = logging.getLogger("shopwright.backups")


def schema_tables() -> list[str]:
    """The tables database/schema.sql defines, minus the backup catalogue, sorted."""
    names = {m.group(1) for stmt in schema_statements() if (m := _CREATE_TABLE.search(stmt))}
    return sorted(names - EXCLUDED)


def schema_fingerprint() -> str:
    """SHA-256 of schema.sql's statements (whitespace folded): a backup restores only into the same schema."""
    text = "\n".join(" ".join(stmt.split()) for stmt in schema_statements())
    return hashlib.sha256(text.encode()).hexdigest()


def _noop(_: int) -> None:
    return None


class BackupService(Service):
    def __init__(self, *args: Any, media: MediaStore) -> None:
        super().__init__(*args)
        self.media = media

    # ------------------------------------------------------------------ catalogue
    def list_backups(self, page: int, per_page: int) -> dict[str, Any]:
        """A page of backups, newest first, with size, time and row counts."""
        with self.db.uow() as uow:
            repo = BackupRepository(uow.conn)
            rows = repo.list_backups(per_page, (page - 1) * per_page)
            total = repo.count_backups()
        return paged([self._present(r) for r in rows], page, per_page, total)

    def get_backup(self, backup_id: int) -> dict[str, Any]:
        """One backup; raises NotFound."""
        with self.db.uow() as uow:
            row = found(BackupRepository(uow.conn).get_backup(backup_id), "No such backup.")
        return self._present(row)

    def _present(self, row: dict[str, Any]) -> dict[str, Any]:
        counts = json.loads(row["row_counts"]) if row["row_counts"] else {}
        return {**row, "row_counts": counts, "total_rows": sum(counts.values()),
                "method": "mysqldump" if row["filename"].endswith("-mysqldump.sql") else "python",
                "file_exists": (self._dir() / row["filename"]).is_file(),
                "media_files": count_media(self._dir() / row["filename"])}

    def _dir(self) -> Path:
        return Path(self.settings.backup_dir)

    # ------------------------------------------------------------------ backup
    def create_backup(self, actor: Actor, progress: Progress = _noop, method: str = "auto",
                      on_total: Progress = _noop) -> dict[str, Any]:
        """Write a full consistent backup under BACKUP_DIR and catalogue it; method auto, mysqldump or python.

        progress(n) is called as rows are written, on_total(rows) once the row count is known.
        Raises Conflict when method is mysqldump and it cannot be used.
        """
        folder = self._dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.now().strftime("%Y%m%d-%H%M%S")
        base = f"{self.settings.db_name}-{stamp}-{os.urandom(3).hex()}"
        started = time.perf_counter()
        path = folder / f"{base}-mysqldump.sql"
        # Media files before the dump and after it (see save_media): whichever name the dump's rows use is kept.
        save_media(self.media, folder / f"{base}.sql")
        try:
            counts = None
            if method in ("auto", "mysqldump") and shutil.which("mysqldump"):
                counts = self._dump_with_mysqldump(path, progress, on_total)
            if counts is None:
                if method == "mysqldump":
                    raise errors.Conflict("mysqldump is missing or does not work with this server.",
                                          code="mysqldump_unavailable")
                path = folder / f"{base}-python.sql"
                counts = self._dump_with_python(path, progress, on_total)
            media_folder(folder / f"{base}.sql").rename(media_folder(path))
            save_media(self.media, path)
        except BaseException:
            for leftover in (folder / f"{base}.sql", path):  # a folder never made is no matter
                shutil.rmtree(media_folder(leftover), ignore_errors=True)
            raise
        with self.db.uow() as uow:
            backup_id = BackupRepository(uow.conn).add_backup(
                path.name, path.stat().st_size, json.dumps(counts, sort_keys=True), actor.user_id, self.now())
            record(uow, actor, "backup.create", "backup", backup_id,
                   {"filename": path.name, "seconds": round(time.perf_counter() - started, 2)})
            uow.commit()
        return self.get_backup(backup_id)

    def _header(self, tables: list[str], method: str) -> str:
        return (f"{MARKER} schema={schema_fingerprint()} method={method} database={self.settings.db_name} "
                f"tables={','.join(tables)}\n")

    def _dedicated_connection(self):
        # Whole-table reads and rewrites outlast the web's per-statement bound; this connection is ours alone.
        return maintenance_connect(self.settings)

    def _dump_with_python(self, path: Path, progress: Progress, on_total: Progress) -> dict[str, int]:
        conn = self._dedicated_connection()
        try:
            repo = TableRepository(conn)
            repo.start_snapshot()
            tables = _shop_tables(repo.list_tables())
            counts = {t: repo.count_rows(t) for t in tables}
            on_total(sum(counts.values()))
            with open(path, "w", encoding="utf-8") as out:
                out.write(self._header(tables, "python"))
                out.write("SET NAMES utf8mb4;\nSET TIME_ZONE = '+00:00';\nSET FOREIGN_KEY_CHECKS = 0;\n"
                          "SET UNIQUE_CHECKS = 0;\nSET SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO';\n")
                for table in tables:
                    out.write(f"DROP TABLE IF EXISTS {quote_name(table)};\n{repo.get_create_table(table)};\n")
                    self._write_rows(out, repo, table, progress)
                out.write("SET FOREIGN_KEY_CHECKS = 1;\nSET UNIQUE_CHECKS = 1;\nCOMMIT;\n")
                out.write(f"{END_MARKER} rows={json.dumps(counts, sort_keys=True)}\n")
            conn.rollback()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        finally:
            conn.close()
        return counts

    @staticmethod
    def _write_rows(out: IO[str], repo: TableRepository, table: str, progress: Progress) -> None:
        batch: list[str] = []
        prefix = f"INSERT INTO {quote_name(table)} VALUES "
        for row in repo.iter_rows(table):
            batch.append("(" + ",".join(repo.literal(v) for v in row) + ")")
            if len(batch) >= ROWS_PER_INSERT:
                out.write(prefix + ",".join(batch) + ";\n")
                progress(len(batch))
                batch = []
        if batch:
            out.write(prefix + ",".join(batch) + ";\n")
            progress(len(batch))

    def _dump_with_mysqldump(self, path: Path, progress: Progress, on_total: Progress) -> dict[str, int] | None:
        """Dump with mysqldump; None (and no file) when it is unusable with this server."""
        with self.db.uow() as uow:
            repo = TableRepository(uow.conn)
            live = repo.list_tables()
            tables = _shop_tables(live)
            # Only for the progress bar: mysqldump's own snapshot may see a few rows more or less.
            on_total(sum(repo.count_rows(t) for t in tables))
        settings = self.settings
        command = ["mysqldump", "--single-transaction", "--quick", "--skip-lock-tables", "--no-tablespaces",
                   "--skip-comments", "--skip-dump-date", "--hex-blob", "--default-character-set=utf8mb4",
                   f"--host={settings.db_host}", f"--port={settings.db_port}", f"--user={settings.db_user}",
                   *(["--skip-ssl"] if not settings.db_ssl else []),
                   *[f"--ignore-table={settings.db_name}.{t}" for t in sorted(set(live) - set(tables))],
                   settings.db_name]
        # The password goes through the environment, never the command line (visible in ps).
        env = {**os.environ, "MYSQL_PWD": settings.db_password}
        counts = {t: 0 for t in tables}
        try:
            with open(path, "w", encoding="utf-8") as out, subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                    encoding="utf-8") as proc:
                assert proc.stdout is not None and proc.stderr is not None  # both PIPE
                out.write(self._header(tables, "mysqldump"))
                for statement in split_statements(proc.stdout):
                    out.write(statement + "\n")
                    _count_insert(statement, counts, progress)
                stderr = proc.stderr.read()
            if proc.returncode != 0:
                raise OSError(stderr.strip()[:300])
            with open(path, "a", encoding="utf-8") as out:
                out.write(f"{END_MARKER} rows={json.dumps(counts, sort_keys=True)}\n")
        except OSError as exc:
            path.unlink(missing_ok=True)
            log.warning("mysqldump unusable, using the Python dump: %s", exc)
            return None
        return counts

    # ------------------------------------------------------------------ restore
    def restore_backup(self, actor: Actor, backup_id: int, progress: Progress = _noop) -> dict[str, Any]:
        """Restore a catalogued backup; raises NotFound, Conflict (file missing or not a backup of this schema)."""
        backup = self.get_backup(backup_id)
        path = self._dir() / backup["filename"]
        if not path.is_file():
            raise errors.Conflict("The backup file is no longer on disk.", code="backup_missing")
        result = self.restore_file(actor, path, progress)
        return {**result, "backup_id": backup_id}

    def restore_file(self, actor: Actor, path: Path, progress: Progress = _noop) -> dict[str, Any]:
        """Restore from a backup file; raises Conflict when it is not a complete backup of this schema."""
        header = self.check_file(path)
        media_names = check_media(path)  # checked before anything is touched
        started = time.perf_counter()
        media_written = restore_media(self.media, path, media_names) if media_names is not None else 0
        conn = self._dedicated_connection()
        statements = 0
        try:
            repo = TableRepository(conn)
            with open(path, encoding="utf-8") as lines:
                for statement in split_statements(_counting(lines, progress)):
                    repo.run_statement(statement)
                    statements += 1
            conn.commit()
        finally:
            conn.close()
        removed = self._remove_unused_media() if media_names is not None else 0
        with self.db.uow() as uow:
            record(uow, actor, "backup.restore", "backup", path.name,
                   {"statements": statements, "seconds": round(time.perf_counter() - started, 2),
                    "media_written": media_written, "media_removed": removed})
            uow.commit()
        return {"filename": path.name, "tables": header["tables"], "rows": header["rows"],
                "statements": statements, "media_files": None if media_names is None else len(media_names),
                "media_written": media_written, "media_removed": removed}

    def _remove_unused_media(self) -> int:
        """After a restore with media, the media directory holds what the restored rows name: others go.
        (An upload racing the restore writes its files again after its commit, see ImageService.add_image.)"""
        with self.db.uow() as uow:
            used = ImageRepository(uow.conn).list_files()
        unused = [name for name in self.media.names() if name not in used]
        self.media.remove(unused)
        return len(unused)

    @staticmethod
    def check_file(path: Path) -> dict[str, Any]:
        """The header of a complete backup of this schema; raises Conflict (invalid_backup) otherwise."""
        def refuse(why: str) -> errors.Conflict:
            return errors.Conflict(f"Not a backup of this shop's schema: {why}.", code="invalid_backup")

        try:
            with open(path, encoding="utf-8") as f:
                first = f.readline()
                last = _last_line(f)
        except (OSError, UnicodeDecodeError) as exc:
            raise refuse("the file cannot be read") from exc
        fields = dict(part.split("=", 1) for part in first[len(MARKER):].split() if "=" in part)
        if not first.startswith(MARKER + " "):
            raise refuse("no backup header")
        if fields.get("schema") != schema_fingerprint():
            raise refuse("it was made with another schema")
        tables = fields.get("tables", "").split(",")
        if sorted(tables) != schema_tables():
            raise refuse("its tables differ from the schema's")
        if not last.startswith(END_MARKER + " rows="):
            raise refuse("the file is incomplete")
        return {"tables": tables, "rows": json.loads(last.split("rows=", 1)[1]), "method": fields.get("method")}


def _shop_tables(live: list[str]) -> list[str]:
    # Only the schema's own tables: a stray table in the database would make the backup unrestorable.
    wanted = set(schema_tables())
    return [t for t in live if t in wanted]


def _last_line(f: IO[str]) -> str:
    last = ""
    for line in f:
        if line.strip():
            last = line
    return last


def _counting(lines: IO[str], progress: Progress) -> Iterator[str]:
    for line in lines:
        progress(len(line.encode("utf-8")))
        yield line


def split_statements(lines: Iterator[str] | IO[str]) -> Iterator[str]:
    """Whole statements from dump text: every statement ends a line with ';', and dumps escape
    newlines inside strings, so a line ending in ';' always ends a statement (no DELIMITER: the schema
    has no triggers or routines). Blank, "--" comment and client-only lines between statements are dropped."""
    pending: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if not pending and (not line.strip() or line.startswith("--") or _CLIENT_ONLY.match(line)):
            continue
        pending.append(line)
        if line.rstrip().endswith(";"):
            yield "\n".join(pending)
            pending = []
    if pending and "".join(pending).strip():
        yield "\n".join(pending)


def insert_rows(statement: str) -> tuple[str, int] | None:
    """The table and row count of a dump's extended INSERT ("INSERT INTO `t` VALUES (..),(..);"); None for
    any other statement."""
    match = _INSERT.match(statement)
    if not match:
        return None
    # Rows are the top-level "(...)" groups: drop string literals, then count the "),(" joints.
    rows = len(_ROW_BREAK.findall(_STRING.sub("''", statement))) + 1
    return match.group(1).replace("``", "`"), rows


def _count_insert(statement: str, counts: dict[str, int], progress: Progress) -> None:
    inserted = insert_rows(statement)
    if inserted is None:
        return
    table, rows = inserted
    counts[table] = counts.get(table, 0) + rows
    progress(rows)
