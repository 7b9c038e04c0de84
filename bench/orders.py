"""Order placement under load: 32 concurrent buyers over 20 hot products, against gunicorn on 127.0.0.1.

    .venv/bin/python bench/orders.py [--seconds 20] [--buyers 32] [--carts 15000] [--port 0] [--checkout-depth]

Creates its own database (dropped at the end), seeds 20 products with large stock and customers
with sessions made directly through the services, starts gunicorn with backend/gunicorn_conf.py
(the settings `make run` uses) and measures two loads, each buyer on one keep-alive connection:

- checkout: POST /orders (a fresh Idempotency-Key, the test card) of carts filled beforehand, one
  customer per cart, so the window holds checkouts and nothing else;
- shopper loop: each buyer POST /cart/items (one unit of a random hot product) then POST /orders,
  the orders/s a shop sees when every order also costs an add-to-cart request.

Each is reported as orders/s, latency and a ratio to a ceiling measured in the same run: the same
client sending the same requests to bench/orders_ceiling.py (empty answers, same gunicorn
settings), so the ratio holds on a busy machine. The CPU each party used (client, gunicorn,
database server, whole machine) shows what limits the rate. At the end it checks that nothing was
oversold: units in order_items == stock taken, no negative stock, one order per 201 seen.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.context import SYSTEM  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402

HOT_PRODUCTS = 20
START_STOCK = 1_000_000
WARMUP_SECONDS = 3
CARD = {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123", "cardholder": "Bench"}
ADDRESS = {"full_name": "Bench Buyer", "line1": "1 Load St", "city": "Benchville", "postal_code": "10101",
           "country": "US"}
ORDER_BODY = {"shipping_address": ADDRESS, "payment": CARD}


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
    return product_ids, list(add_customers(services, users).values())


def add_customers(services: Services, count: int) -> dict[int, str]:
    """count more customers, each with a live session; returns {user id: session token}."""
    with services.db.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) AS top FROM users")
        after = cur.fetchone()["top"]
    services.seed.seed_users(count, "bench-password")
    with services.db.cursor() as cur:
        cur.execute("SELECT id FROM users WHERE id > %s ORDER BY id", (after,))
        user_ids = [row["id"] for row in cur.fetchall()]
    tokens: dict[int, str] = {}
    for start in range(0, len(user_ids), 1000):
        with services.db.uow() as uow:
            for user_id in user_ids[start:start + 1000]:
                tokens[user_id] = services.sessions.start(uow, user_id, "127.0.0.1", "bench").token
            uow.commit()
    return tokens


def set_up_checkout_depth(services: Services) -> tuple[int, int]:
    """A shipping method for every country, a tax rate for the buyers' country and a 10% coupon without limits;
    returns (method id, coupon id)."""
    method = services.shipping.create_method(SYSTEM, {"name": "Standard", "price": Decimal("4.99"),
                                                      "free_from": Decimal("50.00"), "countries": ["*"],
                                                      "min_days": 2, "max_days": 4})
    services.tax.create_rate(SYSTEM, {"country": ADDRESS["country"], "rate": Decimal("8.25")})
    coupon = services.coupons.create_coupon(SYSTEM, {"code": "BENCH-10", "percent_off": Decimal("10")})
    return method["id"], coupon["id"]


def fill_carts(services: Services, count: int, products: list[int], coupon_id: int | None = None) -> list[str]:
    """count new customers whose carts hold one unit of a random hot product (and the coupon, when given);
    returns their tokens."""
    tokens = add_customers(services, count)
    rng = random.Random(count)
    with services.db.cursor() as cur:
        cur.executemany("INSERT INTO carts (user_id, coupon_id) VALUES (%s, %s)",
                        [(user_id, coupon_id) for user_id in tokens])
        cur.execute("SELECT id FROM carts WHERE user_id >= %s", (min(tokens),))
        lines = [(row["id"], rng.choice(products)) for row in cur.fetchall()]
        cur.executemany("INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (%s, %s, 1)", lines)
    return list(tokens.values())


def start_server(db_name: str, port: int, app: str = "backend.wsgi:app") -> subprocess.Popen:
    env = {**os.environ, "DB_NAME": db_name, "PORT": str(port), "HOST": "127.0.0.1", "RATELIMIT_ENABLED": "false",
           "MAIL_SENDER_ENABLED": "false", "MAIL_BACKEND": "console", "LOG_LEVEL": "WARNING",
           "CLEANUP_INTERVAL_MINUTES": "0"}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "backend/gunicorn_conf.py",
                               "--log-level", "warning", app], cwd=ROOT, env=env,
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
    """One keep-alive connection. add_to_cart: POST /cart/items then POST /orders, as one customer, in a
    loop; else POST /orders as the owner of the next cart in `customers` (filled beforehand) until none
    are left. A str `customers` is one customer for every order.

    interval 0: the next order as soon as one is answered (the most this load gets through); else one
    order every `interval` seconds from `first` on, on schedule however late the answers come
    (`late_ms`: how far behind schedule each one was sent; near 0 when the rate is sustained)."""

    def __init__(self, port: int, customers: queue.SimpleQueue | str, add_to_cart: bool, products: list[int],
                 until: float, measure_from: float, interval: float = 0.0, first: float = 0.0,
                 body: dict | None = None) -> None:
        super().__init__(daemon=True)
        self.port, self.customers, self.add_to_cart, self.products = port, customers, add_to_cart, products
        self.body = body or ORDER_BODY
        self.until, self.measure_from, self.interval, self.next_at = until, measure_from, interval, first
        self.order_ms: list[float] = []
        self.add_ms: list[float] = []
        self.late_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.placed = 0  # every 201, warm-up included (for the oversell check)
        self.ran_out_at: float | None = None
        self.rng = random.Random(id(self))

    def _call(self, conn: http.client.HTTPConnection, path: str, body: dict, headers: dict) -> tuple[int, float]:
        started = time.perf_counter()
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000

    def _customer(self) -> str | None:
        if isinstance(self.customers, str):
            return self.customers
        try:
            return self.customers.get_nowait()
        except queue.Empty:
            return None

    def _wait_turn(self) -> float:
        """Sleep until this buyer's next scheduled order; returns how late it starts (ms)."""
        if not self.interval:
            return 0.0
        now = time.time()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        late = max(0.0, time.time() - self.next_at) * 1000
        self.next_at += self.interval
        return late

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.time() < self.until:
            late = self._wait_turn()
            token = self._customer()
            if token is None:
                self.ran_out_at = time.time()
                return
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            add_status = add_ms = None
            if self.add_to_cart:
                item = {"product_id": self.rng.choice(self.products), "quantity": 1}
                add_status, add_ms = self._call(conn, "/api/v1/cart/items", item, headers)
            headers["Idempotency-Key"] = uuid.uuid4().hex
            status, ms = self._call(conn, "/api/v1/orders", self.body, headers)
            self.placed += status == 201
            if self.measure_from <= time.time() <= self.until:
                self.order_ms.append(ms)
                self.late_ms.append(late)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if add_ms is not None:
                    self.add_ms.append(add_ms)
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
        cur.execute("SELECT COUNT(*) AS n, COUNT(coupon_code) AS with_coupon, "
                    "COALESCE(SUM(shipping_method_id IS NOT NULL AND tax_total > 0), 0) AS shipped_taxed FROM orders")
        orders = cur.fetchone()
    return {"taken": int(stock["taken"]), "lowest": int(stock["lowest"]), "sold": sold, "orders": int(orders["n"]),
            "with_coupon": int(orders["with_coupon"]), "shipped_taxed": int(orders["shipped_taxed"])}


class CpuMeter:
    """CPU seconds used by this client, the gunicorn under test, the database and the whole machine.

    Read from /proc (Linux). The database server is shared, so only the server threads of the
    connections to our own database count (information_schema.PROCESSLIST.TID, MariaDB; one thread per
    connection); InnoDB's background threads (log writes, purge) are left out, so that figure is low.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server: subprocess.Popen | None, services: Services) -> None:
        # start_new_session: the master and its workers share this group (None: no server, the database only)
        self.server_group = server.pid if server else None
        self.services = services
        self.db_pid = self._database_pid()

    def _database_pid(self) -> str | None:
        """The database server process that holds our connection's thread (other servers may run too)."""
        with self.services.db.cursor() as cur:
            cur.execute("SELECT TID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")
            tid = (cur.fetchone() or {}).get("TID")
        return next((pid for pid in filter(str.isdigit, os.listdir("/proc"))
                     if self._name(pid) in ("mariadbd", "mysqld") and os.path.exists(f"/proc/{pid}/task/{tid}")),
                    None)

    @staticmethod
    def _name(pid: str) -> str:
        try:
            with open(f"/proc/{pid}/comm") as f:
                return f.read().strip()
        except OSError:
            return ""

    @classmethod
    def _stat(cls, path: str) -> tuple[int, float]:
        with open(f"{path}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return int(fields[2]), (int(fields[11]) + int(fields[12])) / cls.TICK

    def database_threads(self) -> dict[int, float]:
        if self.db_pid is None:
            return {}
        with self.services.db.cursor() as cur:
            cur.execute("SELECT TID FROM information_schema.PROCESSLIST WHERE DB = %s AND TID IS NOT NULL",
                        (self.services.settings.db_name,))
            tids = [row["TID"] for row in cur.fetchall()]
        seconds = {}
        for tid in tids:
            try:
                seconds[tid] = self._stat(f"/proc/{self.db_pid}/task/{tid}")[1]
            except (OSError, ValueError, IndexError):
                continue
        return seconds

    def snapshot(self) -> dict[str, object]:
        server = 0.0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                group, seconds = self._stat(f"/proc/{pid}")
            except (OSError, ValueError, IndexError):
                continue  # a process that ended while we looked
            if group == self.server_group:
                server += seconds
        with open("/proc/stat") as f:
            ticks = [int(n) for n in f.readline().split()[1:]]
        times = os.times()
        with self.services.db.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_row_lock_waits', 'Innodb_row_lock_time')")
            locks = {row["Variable_name"]: int(row["Value"]) for row in cur.fetchall()}
        return {"client": times.user + times.system, "server": server, "database": self.database_threads(),
                "machine": (sum(ticks) - ticks[3] - ticks[4]) / self.TICK,
                "lock_waits": locks.get("Innodb_row_lock_waits", 0), "lock_ms": locks.get("Innodb_row_lock_time", 0)}

    @staticmethod
    def cores(before: dict[str, object], after: dict[str, object], seconds: float) -> dict[str, float]:
        """Cores each party used between two snapshots (database: threads alive at both), and row lock
        waits a second (InnoDB's counters count the whole server: other databases' waits too)."""
        used = {name: (after[name] - before[name]) / seconds
                for name in ("client", "server", "machine", "lock_waits", "lock_ms")}
        threads = before["database"].keys() & after["database"].keys()
        used["database"] = sum(after["database"][t] - before["database"][t] for t in threads) / seconds
        return used


@dataclass
class Run:
    """One measured load: its buyers, the cores each party used, the offered rate (0: as fast as answered)."""
    seconds: float
    buyers: list[Buyer]
    offered: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    def statuses(self) -> dict[int, int]:
        statuses: dict[int, int] = {}
        for buyer in self.buyers:
            for status, count in buyer.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        return statuses

    @property
    def ran_out(self) -> bool:
        return any(buyer.ran_out_at for buyer in self.buyers)

    @property
    def rate(self) -> float:
        return self.statuses().get(201, 0) / self.seconds


def drive(port: int, customers: list[queue.SimpleQueue | str], add_to_cart: bool, products: list[int],
          seconds: float, meter: CpuMeter, rate: float = 0.0, body: dict | None = None) -> Run:
    """One buyer per entry of customers for a warm-up plus `seconds`; rate > 0 spreads that many
    orders a second evenly over the buyers, on a fixed schedule."""
    now = time.time()
    measure_from, until = now + WARMUP_SECONDS, now + WARMUP_SECONDS + seconds
    interval = len(customers) / rate if rate else 0.0
    run = Run(seconds, [Buyer(port, c, add_to_cart, products, until, measure_from, interval,
                              now + n * interval / len(customers), body) for n, c in enumerate(customers)], rate)
    for buyer in run.buyers:
        buyer.start()
    time.sleep(max(0.0, measure_from - time.time()))
    before = meter.snapshot()
    time.sleep(max(0.0, until - time.time()))
    after = meter.snapshot()
    for buyer in run.buyers:
        buyer.join()
    run.cpu = CpuMeter.cores(before, after, seconds)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds of each load (after 3 s)")
    parser.add_argument("--ceiling-seconds", type=float, default=8.0, help="measured seconds of each ceiling")
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--rate", type=float, default=300.0, help="orders/s offered in the paced loads")
    parser.add_argument("--carts", type=int, default=12000, help="carts filled for the unpaced checkout load")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: any free port)")
    parser.add_argument("--checkout-depth", action="store_true",
                        help="a shipping method, a tax rate and a coupon on every prefilled cart")
    args = parser.parse_args()
    settings = replace(load_settings(), db_name=f"shopwright_bench_orders_{os.getpid()}", ratelimit_enabled=False)
    create_database(settings)
    server = None
    try:
        apply_schema(settings)
        services = Services(settings, Database(settings))
        products, tokens = seed(services, args.buyers)
        method_id, coupon_id = set_up_checkout_depth(services) if args.checkout_depth else (None, None)
        body = {**ORDER_BODY, "shipping_method_id": method_id} if method_id else ORDER_BODY
        carts = [queue.SimpleQueue(), queue.SimpleQueue()]  # unpaced, paced
        paced_carts = int(args.rate * (args.seconds + WARMUP_SECONDS) * 1.05) + args.buyers
        for n, count in enumerate((args.carts, paced_carts)):
            for token in fill_carts(services, count, products, coupon_id):
                carts[n].put(token)
        port = args.port or free_port()
        # The ceilings first, on the same port, server settings and client; then the shop itself.
        server = start_server(settings.db_name, port, "bench.orders_ceiling:app")
        meter = CpuMeter(server, services)
        ceilings = [drive(port, tokens, add, products, args.ceiling_seconds, meter) for add in (False, True)]
        stop_server(server)
        server = start_server(settings.db_name, port)
        meter = CpuMeter(server, services)
        runs = [drive(port, [carts[0]] * args.buyers, False, products, args.seconds, meter, body=body),
                drive(port, [carts[1]] * args.buyers, False, products, args.seconds, meter, args.rate, body),
                drive(port, tokens, True, products, args.seconds, meter, body=body),
                drive(port, tokens, True, products, args.seconds, meter, args.rate, body)]
        report(args, ceilings, runs, verify(services, products))
        services.db.pool.close()
    finally:
        if server is not None:
            stop_server(server)
        drop_database(settings, settings.db_name)


def _ms(values: list[float], *pcts: int) -> str:
    return " / ".join(f"{percentile(values, pct):.1f}" for pct in pcts) if values else "-"


def report(args: argparse.Namespace, ceilings: list[Run], runs: list[Run], check: dict[str, int]) -> None:
    """runs: checkout unpaced, checkout paced, shopper loop unpaced, shopper loop paced."""
    def per_order(run: Run) -> str:
        return "  ".join(f"{run.cpu[name] / run.rate * 1000:.1f}" for name in ("server", "database", "client")) \
            if run.rate else "-"

    def locks(run: Run) -> str:
        return f"{run.cpu['lock_waits'] / run.rate:.2f}, {run.cpu['lock_ms'] / run.rate:.2f}" if run.rate else "-"

    def cores(run: Run) -> str:
        return " / ".join(f"{run.cpu[name]:.2f}" for name in ("client", "server", "database", "machine"))

    def other(run: Run) -> str:
        return ", ".join(f"{s}: {n}" for s, n in sorted(run.statuses().items()) if s != 201) or "none"

    def against(run: Run, ceiling: Run) -> str:
        return f"{run.rate / ceiling.rate:.2f}" if ceiling.rate and not run.offered else "-"

    ceiling_of = [ceilings[0], ceilings[0], ceilings[1], ceilings[1]]
    rows = [
        ("", "checkout", f"checkout at {args.rate:.0f}/s", "shopper loop", f"shopper loop at {args.rate:.0f}/s"),
        ("each buyer sends", *["POST /orders"] * 2, *["POST /cart/items + /orders"] * 2),
        ("ceiling: the same requests answered empty, /s", *(f"{c.rate:.1f}" for c in ceiling_of)),
        ("orders/s (201s)", *(f"{r.rate:.1f}" + (" carts ran out" if r.ran_out else "") for r in runs)),
        ("orders/s against the ceiling", *(against(r, c) for r, c in zip(runs, ceiling_of, strict=True))),
        ("POST /orders p50 / p95 / p99 ms", *(_ms([ms for b in r.buyers for ms in b.order_ms], 50, 95, 99)
                                             for r in runs)),
        ("sent behind schedule p50 / p95 ms", *(_ms([ms for b in r.buyers for ms in b.late_ms], 50, 95)
                                               if r.offered else "-" for r in runs)),
        ("POST /cart/items p50 / p95 ms", *(_ms([ms for b in r.buyers for ms in b.add_ms], 50, 95) for r in runs)),
        ("other answers (status: count; -status = cart add)", *(other(r) for r in runs)),
        ("CPU ms per order: server  database  client", *(per_order(r) for r in runs)),
        ("row lock waits per order, ms waited per order", *(locks(r) for r in runs)),
        ("cores used: client / server / db / machine", *(cores(r) for r in runs)),
        ("the same during the ceiling", *(cores(c) for c in ceiling_of)),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"\nbench/orders.py: {args.buyers} buyers (threads, keep-alive http.client), {HOT_PRODUCTS} hot products, "
          f"{args.seconds:.0f} s measured after a {WARMUP_SECONDS} s warm-up, {os.cpu_count()} cores shared by all"
          + ("; checkout depth: a shipping method, tax and a coupon on the prefilled carts" if args.checkout_depth
             else ""))
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))
    placed = sum(b.placed for r in runs for b in r.buyers)
    oversold = check["sold"] - check["taken"]
    print(f"orders in the database / 201s seen: {check['orders']} / {placed}; units in order_items / stock taken: "
          f"{check['sold']} / {check['taken']}; oversold units: {oversold}; lowest stock: {check['lowest']}")
    if args.checkout_depth:
        print(f"orders with the coupon: {check['with_coupon']}; "
              f"with a shipping method and tax: {check['shipped_taxed']}")
    if oversold or check["lowest"] < 0 or check["orders"] != placed:
        raise SystemExit("FAILED: the stock and the orders disagree")


if __name__ == "__main__":
    main()
