"""Admin command-line tasks: backup, restore, cleanup (registered by backend.cli.register_cli)."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from backend import errors
from backend.context import SYSTEM
from backend.routes import services


@click.command("backup")
@with_appcontext
@click.option("--method", type=click.Choice(["auto", "mysqldump", "python"]), default="auto", show_default=True,
              help="auto uses mysqldump --single-transaction when it works with the server, else the Python dump.")
def backup(method: str) -> None:
    """Write a full consistent backup of the database under BACKUP_DIR."""
    started = time.perf_counter()
    with tqdm(total=None, unit="row", disable=None) as bar:
        def set_total(total: int) -> None:
            bar.total = total
            bar.refresh()
        result = services().backups.create_backup(SYSTEM, progress=bar.update, method=method, on_total=set_total)
    click.echo(f"backup {result['id']}: {Path(services().settings.backup_dir) / result['filename']} "
               f"({result['size_bytes']} bytes, {result['total_rows']} rows, {result['method']}, "
               f"{time.perf_counter() - started:.2f} s)")


@click.command("restore")
@with_appcontext
@click.argument("backup")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(backup: str, yes: bool) -> None:
    """Restore the database from a backup: its id (see GET /admin/backups) or a backup file's path."""
    service = services().backups
    path = None if backup.isdigit() else Path(backup)
    try:
        # Refuse a foreign or truncated file (or an unknown id) before asking anything.
        if path is not None:
            service.check_file(path)
        else:
            service.get_backup(int(backup))
    except errors.AppError as exc:
        raise click.ClickException(exc.message) from exc
    if not yes:
        click.confirm(f"Replace every table of database {services().settings.db_name} "
                      f"with backup {backup}?", abort=True)
    started = time.perf_counter()
    size = (path or Path(services().settings.backup_dir) /
            service.get_backup(int(backup))["filename"]).stat().st_size
    with tqdm(total=size, unit="B", unit_scale=True, disable=None) as bar:
        if path is None:
            result = service.restore_backup(SYSTEM, int(backup), progress=bar.update)
        else:
            result = service.restore_file(SYSTEM, path, progress=bar.update)
    click.echo(f"restored {len(result['tables'])} tables, {sum(result['rows'].values())} rows "
               f"({result['statements']} statements) in {time.perf_counter() - started:.2f} s")


@click.command("cleanup")
@with_appcontext
def cleanup() -> None:
    """Delete expired sessions, codes, reset tokens, pending registrations, old guest carts,
    stale idempotency keys and audit events past AUDIT_RETENTION_DAYS."""
    counts = services().cleanup.run()
    if counts is None:
        click.echo("a cleanup is already running elsewhere; nothing done")
        return
    for name, count in counts.items():
        click.echo(f"{name:>22}: {count}")


COMMANDS = (backup, restore, cleanup)
