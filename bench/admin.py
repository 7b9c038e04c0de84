"""Backup and restore speed: time and file size of a full backup of a seeded database, both ways
(mysqldump --single-transaction and the Python snapshot dump), and the time to restore each.

Creates its own database, seeds it with the seed service (100,000 products and 1,000 users by
default), backs up to a temporary folder, restores, checks every table's CHECKSUM is unchanged,
prints a table and drops the database. Run: .venv/bin/python bench/admin.py [--products N] [--users N]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.context import SYSTEM  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from backend.repositories.backups import TableRepository  # noqa: E402
from backend.services.backups import EXCLUDED  # noqa: E402


def _checksums(services: Services) -> dict[str, int]:
    with services.db.uow() as uow:
        repo = TableRepository(uow.conn)
        return repo.checksum_tables([t for t in repo.list_tables() if t not in EXCLUDED and t != "audit_log"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1_000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="shopwright-bench-backups-")
    settings = replace(load_settings(), db_name=f"shopwright_bench_admin_{os.getpid()}", backup_dir=folder,
                       log_level="WARNING", cleanup_interval_minutes=0, mail_sender_enabled=False)
    create_database(settings)
    services = Services(settings, Database(settings))
    try:
        apply_schema(settings)
        started = time.perf_counter()
        services.seed.seed_catalog(args.products)
        services.seed.seed_users(args.users, "bench-password")
        print(f"seeded {args.products} products and {args.users} users in {time.perf_counter() - started:.1f} s")
        before = _checksums(services)
        rows = []
        for method in ("mysqldump", "python"):
            started = time.perf_counter()
            backup = services.backups.create_backup(SYSTEM, method=method)
            backup_s = time.perf_counter() - started
            started = time.perf_counter()
            services.backups.restore_backup(SYSTEM, backup["id"])
            restore_s = time.perf_counter() - started
            same = _checksums(services) == before
            rows.append((method, backup["total_rows"], backup["size_bytes"] / 1_048_576, backup_s, restore_s, same))
        print(f"\n{'method':<10} {'rows':>9} {'size MB':>8} {'backup s':>9} {'restore s':>10} {'checksums':>10}")
        for method, total, size, backup_s, restore_s, same in rows:
            print(f"{method:<10} {total:>9} {size:>8.1f} {backup_s:>9.2f} {restore_s:>10.2f} "
                  f"{'identical' if same else 'DIFFER':>10}")
    finally:
        services.db.pool.close()
        drop_database(settings, settings.db_name)
        for file in Path(folder).glob("*.sql"):
            file.unlink()
        os.rmdir(folder)


if __name__ == "__main__":
    main()
