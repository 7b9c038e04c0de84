"""Settings: the environment first, then .env, then defaults. The only module that reads them."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 5000
    db_host: str = "127.0.0.1"
    db_port: int = 3306
    # The nodes of one database cluster ("host:port,host:port"), tried in order and on failover;
    # overrides db_host/db_port when set.
    db_hosts: str = ""
    db_user: str = "root"
    db_password: str = ""
    db_name: str = "shopwright"
    db_ssl: bool = False
    # Connections per worker process: the most threads that may be inside the database at once.
    # Kept below web_threads so health, pages and static files always find a free thread.
    db_pool_size: int = 6
    web_threads: int = 8
    # Fail-fast bounds (docs/api.md: a stalled database answers 503 within 5 s): the wait for a pooled
    # connection, the TCP connect, each read or write on the socket, and each statement on the server.
    db_acquire_timeout: float = 1.0
    db_connect_timeout: int = 2
    db_read_timeout: int = 3
    db_statement_seconds: int = 2
    # A pooled connection idle longer than this is pinged before use; fresher ones are used as they are.
    db_ping_idle_seconds: int = 30
    # The health check's own connection: connect and ping bound.
    health_timeout: float = 1.0
    secret_key: str = "dev-only-change-me"
    store_currency: str = "USD"
    admin_email: str = "admin@shopwright.local"
    admin_password: str = ""
    mail_backend: str = "console"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: bool = False
    mail_from: str = "Shopwright <shop@shopwright.local>"
    mail_sender_enabled: bool = True
    public_url: str = "http://127.0.0.1:5000"
    redis_url: str = ""
    ratelimit_enabled: bool = True
    session_idle_minutes: int = 30
    session_max_days: int = 7
    max_sessions_per_user: int = 3
    cookie_secure: bool = False
    max_body_bytes: int = 1_048_576
    cors_origins: str = ""
    backup_dir: str = str(ROOT / ".data" / "backups")
    # Product image files (content-addressed, served under /media/); a relative path is under the project root.
    media_dir: str = str(ROOT / ".data" / "media")
    # Largest image file an upload may carry (413 beyond); the upload route's body limit is this plus form overhead.
    max_image_bytes: int = 10 * 1024 * 1024
    audit_retention_days: int = 180
    cleanup_interval_minutes: int = 60
    catalog_cache_seconds: int = 10
    # Catalog prices include tax (docs/api.md "Tax"): totals stay as they are and tax_total reports the tax in them;
    # false adds tax on top.
    prices_include_tax: bool = True
    log_level: str = "INFO"

    @property
    def db_addresses(self) -> list[tuple[str, int]]:
        """Every database node to try, in order: DB_HOSTS, else DB_HOST:DB_PORT."""
        if not self.db_hosts.strip():
            return [(self.db_host, self.db_port)]
        nodes = []
        for item in self.db_hosts.split(","):
            host, _, port = item.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"DB_HOSTS: {item.strip()!r} is not host:port")
            nodes.append((host, int(port)))
        return nodes

    @property
    def media_path(self) -> Path:
        """MEDIA_DIR as an absolute path (relative to the project root, not the working directory)."""
        return ROOT / self.media_dir


_CASTS: dict[Any, Callable[[str], Any]] = {int: int, bool: _bool, str: str, float: float,
                                          "int": int, "bool": _bool, "str": str, "float": float}


def load_settings(overrides: dict[str, Any] | None = None, env_file: Path | None = None) -> Settings:
    """Build Settings from os.environ, then .env, then the defaults above; overrides win over all."""
    dotenv = dotenv_values(env_file or ROOT / ".env")
    values: dict[str, Any] = {}
    for field in fields(Settings):
        raw = os.environ.get(field.name.upper(), dotenv.get(field.name.upper()))
        if raw is not None and raw != "" or (raw == "" and field.type in ("str", str)):
            values[field.name] = _CASTS[field.type](raw)
    settings = Settings(**values)
    if overrides:
        settings = replace(settings, **{k.lower(): v for k, v in overrides.items()})
    return settings
