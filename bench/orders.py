"""Order placement under load: 32 concurrent buyers over 20 hot products, against gunicorn on 127.0.0.1.

    .venv/bin/python bench/orders.py [--seconds 20] [--buyers 32] [--users 64]

Creates its own database (dropped at the end), seeds 20 products with large stock and customers
with sessions made directly through the services, starts gunicorn with backend/gunicorn_conf.py,
then each buyer loops: POST /cart/items (one unit of a random hot product), POST /orders (a fresh
Idempotency-Key, the test card). Reports sustained orders/second and POST /orders latency, and
checks that nothing was oversold: units in order_items == stock taken, no negative stock.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.config import load_settings  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from backend.services import Services  # noqa: E402

HOT_PRODUCTS = 20
START_STOCK = 1_000_000
WARMUP_SECONDS = 3
CARD = {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123", "cardholder": "Bench"}
ADDRESS = {"full_name": "Bench Buyer", "line1": "1 Load St", "city": "Benchville", "postal_code": "10101",
           "country": "US"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(services: Services, users: int) -> tuple[list[int], list[str]]:
    """20 hot products and `users` customers, each with a live session; returns product ids and tokens."""
    with services.db.cursor() as cur:
        for n in range(HOT_PRODUCTS):
            cur.execute("INSERT INTO products (name, slug, description, price, stock) VALUES (%s, %s, '', %s, %s)",
                        (f"Hot product {n}", f"hot-{n}", Decimal("19.99") + n, START_STOCK))
        cur.execute("SELECT id FROM products ORDER BY id")
        product_ids = [row["id"] for row in cur.fetchall()]
    services.seed.seed_users(users, "bench-password")
    with services.db.cursor() as cur:
        cur.execute("SELECT id FROM users ORDER BY id")
        user_ids = [row["id"] for row in cur.fetchall()]
    tokens = []
    with services.db.uow() as uow:
        for user_id in user_ids:
            tokens.append(services.sessions.start(uow, user_id, "127.0.0.1", "bench").token)
        uow.commit()
    return product_ids, tokens


def start_server(db_name: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DB_NAME": db_name, "PORT": str(port), "HOST": "127.0.0.1", "RATELIMIT_ENABLED": "false",
           "MAIL_SENDER_ENABLED": "false", "MAIL_BACKEND": "console", "LOG_LEVEL": "WARNING",
           "CLEANUP_INTERVAL_MINUTES": "0"}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "backend/gunicorn_conf.py",
                               "--log-level", "warning", "backend.wsgi:app"], cwd=ROOT, env=env,
                              start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /api/v1/health within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


class Buyer(threading.Thread):
    def __init__(self, port: int, token: str, products: list[int], until: float, measure_from: float) -> None:
        super().__init__(daemon=True)
        self.port, self.products, self.until, self.measure_from = port, products, until, measure_from
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.order_ms: list[float] = []
        self.add_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.placed = 0  # every 201, warm-up included (for the oversell check)
        self.rng = random.Random(token)

    def _call(self, conn: http.client.HTTPConnection, path: str, body: dict, headers: dict) -> tuple[int, float]:
        started = time.perf_counter()
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.time() < self.until:
            item = {"product_id": self.rng.choice(self.products), "quantity": 1}
            add_status, add_ms = self._call(conn, "/api/v1/cart/items", item, self.headers)
            headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
            status, ms = self._call(conn, "/api/v1/orders", {"shipping_address": ADDRESS, "payment": CARD}, headers)
            self.placed += status == 201
            if time.time() >= self.measure_from:
                self.add_ms.append(add_ms)
                self.order_ms.append(ms)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if add_status != 201:
                    self.statuses[-add_status] = self.statuses.get(-add_status, 0) + 1


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def verify(services: Services, products: list[int]) -> dict[str, int]:
    with services.db.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(%s - stock), 0) AS taken, COALESCE(MIN(stock), 0) AS lowest "
                    "FROM products WHERE id IN ({})".format(", ".join(["%s"] * len(products))),
                    (START_STOCK, *products))
        stock = cur.fetchone()
        cur.execute("SELECT COALESCE(SUM(quantity), 0) AS sold FROM order_items")
        sold = int(cur.fetchone()["sold"])
        cur.execute("SELECT COUNT(*) AS n FROM orders")
        orders = int(cur.fetchone()["n"])
    return {"taken": int(stock["taken"]), "lowest": int(stock["lowest"]), "sold": sold, "orders": orders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (after a 3 s warm-up)")
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--users", type=int, default=64, help="customers seeded (each buyer uses its own)")
    args = parser.parse_args()
    settings = replace(load_settings(), db_name=f"shopwright_bench_orders_{os.getpid()}", ratelimit_enabled=False)
    create_database(settings)
    server = None
    try:
        apply_schema(settings)
        services = Services(settings, Database(settings))
        products, tokens = seed(services, max(args.users, args.buyers))
        port = free_port()
        server = start_server(settings.db_name, port)
        now = time.time()
        measure_from, until = now + WARMUP_SECONDS, now + WARMUP_SECONDS + args.seconds
        buyers = [Buyer(port, tokens[i], products, until, measure_from) for i in range(args.buyers)]
        for buyer in buyers:
            buyer.start()
        for buyer in buyers:
            buyer.join()
        report(args, buyers, verify(services, products))
        services.db.pool.close()
    finally:
        if server is not None:
            stop_server(server)
        drop_database(settings, settings.db_name)


def report(args: argparse.Namespace, buyers: list[Buyer], check: dict[str, int]) -> None:
    order_ms = [ms for b in buyers for ms in b.order_ms]
    add_ms = [ms for b in buyers for ms in b.add_ms]
    statuses: dict[int, int] = {}
    for buyer in buyers:
        for status, count in buyer.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    placed = statuses.get(201, 0)
    oversold = check["sold"] - check["taken"]
    rows = [
        ("buyers (threads, keep-alive http.client)", f"{args.buyers}"),
        ("hot products", f"{HOT_PRODUCTS}"),
        ("measured seconds (after 3 s warm-up)", f"{args.seconds:.0f}"),
        ("orders placed (201) in the window", f"{placed}"),
        ("sustained orders/s", f"{placed / args.seconds:.1f}"),
        ("POST /orders p50 / p95 / p99 ms", f"{percentile(order_ms, 50):.1f} / {percentile(order_ms, 95):.1f} / "
                                            f"{percentile(order_ms, 99):.1f}"),
        ("POST /cart/items p50 / p95 ms", f"{percentile(add_ms, 50):.1f} / {percentile(add_ms, 95):.1f}"),
        ("other answers (status: count; negative = add-to-cart)",
         ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()) if s != 201) or "none"),
        ("orders in the database / 201s seen", f"{check['orders']} / {sum(b.placed for b in buyers)}"),
        ("units in order_items / stock taken", f"{check['sold']} / {check['taken']}"),
        ("oversold units, lowest stock", f"{oversold}, {check['lowest']}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\n{'bench/orders.py':<{width}}  result")
    print(f"{'-' * width}  {'-' * 28}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if oversold or check["lowest"] < 0 or check["orders"] != sum(b.placed for b in buyers):
        raise SystemExit("FAILED: the stock and the orders disagree")


if __name__ == "__main__":
    main()
