"""Backups: a round trip (backup, destructive change, restore) gives back every table's checksum;
foreign or truncated files are refused. Runs in its own database: a restore rewrites every table."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from backend import errors
from backend.container import Services
from backend.context import SYSTEM
from backend.db import Database
from backend.migrate import YOYO_TABLES, apply_schema, create_database, drop_database, migration_status
from backend.repositories.backups import TableRepository
from backend.services.backups import EXCLUDED, schema_tables
from tests.conftest import uid


@pytest.fixture(scope="module")
def own(settings, tmp_path_factory):
    """Services over a private, seeded database, with backups written to a temporary folder."""
    mine = replace(settings, db_name=f"shopwright_bk_{uid()}", backup_dir=str(tmp_path_factory.mktemp("backups")),
                   media_dir=str(tmp_path_factory.mktemp("backup-media")))
    create_database(mine)
    apply_schema(mine)
    services = Services(mine, Database(mine))
    services.seed.seed_catalog(60)
    services.seed.seed_users(5, "seeded-password")
    with services.db.cursor() as cur:
        cur.execute("INSERT INTO audit_log (action, details) VALUES ('test.unicode', %s)",
                    ("quote ' backslash \\ semicolon; newline\n emoji \U0001f600 ),( tricky",))
    yield services
    services.db.pool.close()
    drop_database(mine, mine.db_name)


def _checksums(services) -> dict[str, int]:
    with services.db.uow() as uow:
        repo = TableRepository(uow.conn)
        return repo.checksum_tables([t for t in repo.list_tables() if t not in EXCLUDED | set(YOYO_TABLES)])


def _destroy(services) -> None:
    with services.db.cursor() as cur:
        cur.execute("DELETE FROM order_items")
        cur.execute("UPDATE products SET stock = stock + 7, name = CONCAT(name, ' changed')")
        cur.execute("DELETE FROM audit_log")
        cur.execute("INSERT INTO categories (name, slug, path) VALUES ('after', %s, '/')", (f"after-{uid()}",))
        cur.execute("DROP TABLE search_log")


@pytest.mark.parametrize("method", ["python", "mysqldump"])
def test_backup_destroy_restore_gives_back_every_checksum(own, method):
    before = _checksums(own)
    assert set(before) == set(schema_tables())
    assert before["products"] and before["audit_log"]
    backup = own.backups.create_backup(SYSTEM, method=method)
    assert backup["method"] == method
    assert backup["row_counts"]["products"] == 60
    assert backup["row_counts"]["users"] == 5
    # The seed's demo variants (4 + 8 + 2) and their option names and values are in it too.
    assert (backup["row_counts"]["product_variants"], backup["row_counts"]["product_options"],
            backup["row_counts"]["variant_option_values"]) == (14, 5, 26)
    assert backup["size_bytes"] == (Path(own.settings.backup_dir) / backup["filename"]).stat().st_size
    _destroy(own)
    assert _checksums(own) != before
    result = own.backups.restore_backup(SYSTEM, backup["id"])
    assert result["rows"]["products"] == 60 and result["rows"]["product_variants"] == 14
    after = _checksums(own)
    # The restore itself is audited afterwards, so the audit log holds exactly one event more.
    before.pop("audit_log"), after.pop("audit_log")
    assert after == before
    with own.db.cursor() as cur:
        cur.execute("SELECT details FROM audit_log WHERE action = 'test.unicode'")
        assert cur.fetchone()["details"].endswith("emoji \U0001f600 ),( tricky")
        cur.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
        assert cur.fetchone()["action"] == "backup.restore"


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_schema(own, tmp_path):
    good = Path(own.settings.backup_dir) / own.backups.create_backup(SYSTEM, method="python")["filename"]
    text = good.read_text()
    cases = {
        "plain.sql": "DROP TABLE users;\n",
        "other-schema.sql": text.replace("schema=", "schema=0", 1),
        "other-tables.sql": text.replace("tables=", "tables=extra,", 1),
        "truncated.sql": text[: len(text) // 2],
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(errors.Conflict) as caught:
            own.backups.restore_file(SYSTEM, path)
        assert caught.value.code == "invalid_backup", name
    assert own.backups.check_file(good)["rows"]["products"] == 60


def test_a_mysqldump_that_fails_falls_back_to_the_python_dump(own, tmp_path, monkeypatch):
    # A mysqldump that cannot talk to this server (another vendor's, too old, ...) exits non-zero.
    fake = tmp_path / "mysqldump"
    fake.write_text("#!/bin/sh\necho 'mysqldump: unknown variable' >&2\nexit 7\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    dumps_before = set(Path(own.settings.backup_dir).glob("*-mysqldump.sql"))
    backup = own.backups.create_backup(SYSTEM)
    assert backup["method"] == "python"
    assert backup["row_counts"]["products"] == 60
    # The failed attempt leaves no half-written file behind.
    assert set(Path(own.settings.backup_dir).glob("*-mysqldump.sql")) == dumps_before
    with pytest.raises(errors.Conflict) as caught:
        own.backups.create_backup(SYSTEM, method="mysqldump")
    assert caught.value.code == "mysqldump_unavailable"


def test_cli_backup_and_restore(own, tmp_path):
    from backend.app import create_app

    runner = create_app(settings=own.settings).test_cli_runner()
    made = runner.invoke(args=["backup", "--method", "python"])
    assert made.exit_code == 0, made.output
    assert "python" in made.output and "rows" in made.output
    path = max(Path(own.settings.backup_dir).glob("*-python.sql"), key=lambda p: p.stat().st_mtime)
    before = _checksums(own)
    _destroy(own)
    restored = runner.invoke(args=["restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    after = _checksums(own)
    before.pop("audit_log"), after.pop("audit_log")
    assert after == before
    junk = tmp_path / "junk.sql"
    junk.write_text("DROP TABLE users;\n")
    refused = runner.invoke(args=["restore", str(junk), "--yes"])
    assert refused.exit_code == 1 and "no backup header" in refused.output


@pytest.mark.parametrize("method", ["python", "mysqldump"])
def test_a_stray_table_is_left_out_and_the_backup_still_restores(own, method):
    with own.db.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS stray_notes (id INT PRIMARY KEY)")
    try:
        backup = own.backups.create_backup(SYSTEM, method=method)
        assert "stray_notes" not in backup["row_counts"]
        assert sorted(own.backups.restore_backup(SYSTEM, backup["id"])["tables"]) == schema_tables()
    finally:
        with own.db.cursor() as cur:
            cur.execute("DROP TABLE stray_notes")


def _migration_records(services) -> list[tuple[str, str]]:
    with services.db.cursor() as cur:
        cur.execute("SELECT migration_id, migration_hash FROM _yoyo_migration ORDER BY migration_id")
        return [(r["migration_id"], r["migration_hash"]) for r in cur.fetchall()]


@pytest.mark.parametrize("method", ["python", "mysqldump"])
def test_backups_leave_out_and_keep_the_migration_records(own, method):
    """yoyo's tables are not shop data: a backup leaves them out, and a restore (which only happens
    into the same schema) leaves the records of the migrations that made this schema as they were."""
    records = _migration_records(own)
    assert records and all(row["applied"] for row in migration_status(own.settings))
    backup = own.backups.create_backup(SYSTEM, method=method)
    text = (Path(own.settings.backup_dir) / backup["filename"]).read_text()
    assert [t for t in YOYO_TABLES if t in text or t in backup["row_counts"]] == []
    own.backups.restore_backup(SYSTEM, backup["id"])
    assert _migration_records(own) == records
    assert all(row["applied"] for row in migration_status(own.settings))
