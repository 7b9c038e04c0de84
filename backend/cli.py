"""Command-line tasks: flask --app backend.wsgi <command>."""
from __future__ import annotations

import threading

import click
from flask import Flask
from tqdm import tqdm

from backend.background import BackgroundLoop
from backend.cli_admin import COMMANDS as ADMIN_COMMANDS
from backend.config import Settings
from backend.migrate import (
    MigrationError,
    MigrationReport,
    apply_schema,
    create_database,
    migration_status,
    yoyo_url,
)
from backend.routes import services
from backend.services.mail import POLL_SECONDS


def register_cli(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(migrate)
    app.cli.add_command(seed)
    app.cli.add_command(search_index)
    app.cli.add_command(create_admin)
    for command in ADMIN_COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(send_mail)


@click.command("init-db")
def init_db() -> None:
    """Create the database if missing; a new one gets schema.sql, an existing one its pending migrations."""
    settings = services().settings
    _create_and_migrate(settings)


@click.command("migrate")
@click.option("--status", is_flag=True, help="List the migrations and whether each is applied; change nothing.")
def migrate(status: bool) -> None:
    """Apply the pending migrations of database/migrations (as init-db does), or list them with --status."""
    settings = services().settings
    if status:
        for row in migration_status(settings):
            click.echo(f"{'applied' if row['applied'] else 'pending'}  {row['id']}")
        url = yoyo_url(settings, hide_password=True)
        click.echo(f"(yoyo equivalent: yoyo list --no-config-file --database '{url}' database/migrations)")
        return
    _create_and_migrate(settings)


def _create_and_migrate(settings: Settings) -> None:
    create_database(settings)
    try:
        report = apply_schema(settings)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_report(settings.db_name, report)
    # The search index's tables came with a migration, empty: products from before it are indexed once.
    indexed = services().search_index.index_missing()
    if indexed:
        click.echo(f"search index: {indexed} product(s) indexed")


def _echo_report(db_name: str, report: MigrationReport) -> None:
    if report.fresh:
        click.echo(f"schema applied to {db_name} ({report.statements} statements); "
                   "every migration recorded as applied")
    elif report.applied:
        click.echo(f"{db_name}: applied {len(report.applied)} migration(s): {', '.join(report.applied)}")
    else:
        click.echo(f"{db_name}: up to date (no pending migration)")


@click.command("seed")
@click.option("--products", default=0, show_default=True, help="How many products to add.")
@click.option("--users", default=0, show_default=True, help="How many customer accounts to add.")
@click.option("--password", default="shopwright-demo", show_default=True, help="Password of the seeded users.")
@click.option("--if-empty", is_flag=True, help="Only when the catalog has no product yet.")
def seed(products: int, users: int, password: str, if_empty: bool) -> None:
    """Fill the catalog (and users) fast with batched inserts."""
    service = services().seed
    if if_empty and not service.catalog_is_empty():
        click.echo("catalog already has products; not seeding")
        return
    if products:
        with tqdm(total=products, unit="product", disable=None) as bar:
            service.seed_catalog(products, progress=bar.update)
    if users:
        with tqdm(total=users, unit="user", disable=None) as bar:
            service.seed_users(users, password, progress=bar.update)


@click.command("search-index")
def search_index() -> None:
    """Bring the search index up to date after products were written or erased with SQL instead of the API."""
    with tqdm(unit="product", disable=None) as bar:
        read, words = services().search_index.repair(progress=bar.update)
    click.echo(f"search index: {read} product(s) read, {words} word(s) counted")


@click.command("create-admin")
def create_admin() -> None:
    """Create the ADMIN_EMAIL account; a generated password is printed once."""
    settings = services().settings
    generated = services().accounts.ensure_admin(settings.admin_email, settings.admin_password)
    if generated:
        click.echo(f"admin account {settings.admin_email} created; password (shown once): {generated}")
    else:
        click.echo(f"admin account {settings.admin_email} ready")


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running, polling the outbox every few seconds.")
def send_mail(loop: bool) -> None:
    """Deliver the due messages of the email outbox (with MAIL_BACKEND), then stop (or --loop)."""
    mail = services().mail
    if loop:
        try:
            BackgroundLoop("outbox-sender", mail.send_due, POLL_SECONDS).run(threading.Event())
        except KeyboardInterrupt:
            return
    total = 0
    while sent := mail.send_due():
        total += sent
    click.echo(f"{total} message(s) sent")
