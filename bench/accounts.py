"""Accounts under load: session checks, password logins and the outbox sender, against gunicorn on 127.0.0.1.

    .venv/bin/python bench/accounts.py [--seconds 10] [--clients 16]

Creates its own database (dropped at the end) with customers sharing one real-cost bcrypt hash,
starts gunicorn with backend/gunicorn_conf.py (rate limits off), then measures
  1. GET /api/v1/auth/me with a Bearer token (the session lookup every logged-in request pays),
  2. POST /api/v1/auth/login with the right password (bcrypt cost 12: CPU-bound by design),
and finally the outbox sender delivering queued messages by SMTP to an aiosmtpd server in this process.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from backend.passwords import hash_password  # noqa: E402
from backend.repositories.mail import MailRepository  # noqa: E402
from backend.services.mail import MailService  # noqa: E402
from bench.orders import free_port, percentile, start_server, stop_server  # noqa: E402

PASSWORD = "bench-password-long"
MESSAGES = 300


def seed(services: Services, users: int) -> tuple[list[str], list[str]]:
    """Customers with one shared real-cost hash and a live session each; returns usernames and tokens."""
    password_hash = hash_password(PASSWORD)
    names, tokens = [f"bench_{n}" for n in range(users)], []
    with services.db.uow() as uow:
        with uow.conn.cursor() as cur:
            cur.executemany("INSERT INTO users (email, username, password_hash) VALUES (%s, %s, %s)",
                            [(f"{name}@bench.test", name, password_hash) for name in names])
            cur.execute("SELECT id FROM users ORDER BY id")
            ids = [row["id"] for row in cur.fetchall()]
        for user_id in ids:
            tokens.append(services.sessions.start(uow, user_id, "127.0.0.1", "bench").token)
        uow.commit()
    return names, tokens


class Client(threading.Thread):
    def __init__(self, port: int, method: str, path: str, body: dict | None, headers: dict, until: float) -> None:
        super().__init__(daemon=True)
        self.port, self.method, self.path, self.until = port, method, path, until
        self.body = json.dumps(body) if body is not None else None
        self.headers = {"Content-Type": "application/json", **headers}
        self.ms: list[float] = []
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.time() < self.until:
            started = time.perf_counter()
            conn.request(self.method, self.path, body=self.body, headers=self.headers)
            response = conn.getresponse()
            response.read()
            self.ms.append((time.perf_counter() - started) * 1000)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1


def run_clients(clients: list[Client]) -> tuple[int, list[float], dict[int, int]]:
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    statuses: dict[int, int] = {}
    for client in clients:
        for status, count in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return statuses.get(200, 0), [ms for c in clients for ms in c.ms], statuses


def bench_sender(services: Services) -> tuple[float, int]:
    """Queue MESSAGES and time the real sender delivering them by SMTP to a local aiosmtpd server."""
    from tests.accounts_support import SmtpSink

    sink = SmtpSink()
    sink.start()
    try:
        with services.db.uow() as uow:
            repo = MailRepository(uow.conn)
            for n in range(MESSAGES):
                repo.add_message(f"reader{n}@bench.test", f"Bench {n}", "Hello from the bench.\n")
            uow.commit()
        sender = MailService(services.db, replace(services.settings, mail_backend="smtp", smtp_host="127.0.0.1",
                                                  smtp_port=sink.port, smtp_tls=False, smtp_user=""))
        started = time.perf_counter()
        while sender.send_due(limit=50):
            pass
        return time.perf_counter() - started, len(sink.messages)
    finally:
        sink.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    settings = replace(load_settings(), db_name=f"shopwright_bench_accounts_{os.getpid()}", ratelimit_enabled=False)
    create_database(settings)
    server = None
    try:
        apply_schema(settings)
        services = Services(settings, Database(settings))
        names, tokens = seed(services, args.clients)
        port = free_port()
        server = start_server(settings.db_name, port)
        rows = []
        until = time.time() + args.seconds
        ok, ms, statuses = run_clients([Client(port, "GET", "/api/v1/auth/me", None,
                                               {"Authorization": f"Bearer {tokens[i]}"}, until)
                                        for i in range(args.clients)])
        rows += [("GET /auth/me (Bearer) requests/s", f"{ok / args.seconds:.0f}"),
                 ("GET /auth/me p50 / p95 ms", f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f}"),
                 ("GET /auth/me non-200 answers", _others(statuses))]
        until = time.time() + args.seconds
        ok, ms, statuses = run_clients([Client(port, "POST", "/api/v1/auth/login",
                                               {"login": names[i], "password": PASSWORD}, {}, until)
                                        for i in range(args.clients)])
        rows += [("POST /auth/login (bcrypt cost 12) logins/s", f"{ok / args.seconds:.1f}"),
                 ("POST /auth/login p50 / p95 ms", f"{percentile(ms, 50):.0f} / {percentile(ms, 95):.0f}"),
                 ("POST /auth/login non-200 answers", _others(statuses))]
        stop_server(server)
        server = None
        seconds, delivered = bench_sender(services)
        rows += [(f"outbox sender: {MESSAGES} messages by SMTP, messages/s", f"{delivered / seconds:.0f}"),
                 ("messages received by the SMTP server", f"{delivered}")]
        services.db.pool.close()
        report(args, rows)
    finally:
        if server is not None:
            stop_server(server)
        drop_database(settings, settings.db_name)


def _others(statuses: dict[int, int]) -> str:
    return ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()) if s != 200) or "none"


def report(args: argparse.Namespace, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{'bench/accounts.py':<{width}}  result ({args.clients} keep-alive clients, {args.seconds:.0f} s each)")
    print(f"{'-' * width}  {'-' * 24}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
