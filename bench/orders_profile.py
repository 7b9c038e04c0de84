"""What one order costs, in process: round trips, CPU on both sides, and how long the hot rows stay locked.

    .venv/bin/python bench/orders_profile.py [--orders 600] [--checkout-depth] [--cprofile]

One thread places orders of carts filled beforehand through the Flask test client (no HTTP, no other
load), so the figures hold on a busy machine where the orders/s of bench/orders.py do not. Every
statement PyMySQL sends is counted (its text with literals as ?), with the CPU this process spends
inside PyMySQL; the CPU of our MariaDB connection threads is read from /proc; a hot row counts as held
from the first statement that locks it (stock UPDATE, coupon SELECT ... FOR UPDATE) to the answered
COMMIT, and the statements sent in that time are counted (the wall time is noisy on a busy machine,
the count is not). Run it in a worktree of the old commit and in this one, alternately, to compare.
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymysql  # noqa: E402

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from bench.orders import ORDER_BODY, CpuMeter, fill_carts, seed, set_up_checkout_depth  # noqa: E402

WARMUP_ORDERS = 50
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\b\d+(?:\.\d+)?\b")
_LOCKS = {"stock": lambda sql: sql.startswith("UPDATE products SET stock"),
          "coupon": lambda sql: "FROM coupons" in sql and "FOR UPDATE" in sql}


class Tally:
    """Wraps PyMySQL's Connection.query, begin and commit: statements by shape, CPU inside, lock holds."""

    def __init__(self) -> None:
        self.statements: collections.Counter[str] = collections.Counter()
        self.cpu = 0.0
        self.held: dict[str, float] = collections.defaultdict(float)
        self.under: collections.Counter[str] = collections.Counter()  # statements sent while holding it
        self._since: dict[str, float] = {}

    def clear(self) -> None:
        self.statements.clear()
        self.held.clear()
        self.under.clear()
        self.cpu = 0.0

    def install(self) -> None:
        cls = pymysql.connections.Connection
        query, begin, commit = cls.query, cls.begin, cls.commit

        def counted_query(conn: Any, sql: Any, unbuffered: bool = False) -> int:
            text = " ".join((bytes(sql).decode() if isinstance(sql, (bytes, bytearray)) else sql).split())
            for name, locks in _LOCKS.items():
                if name not in self._since and locks(text):
                    self._since[name] = time.perf_counter()
            for name in self._since:
                self.under[name] += 1
            self.statements[_LITERAL.sub("?", text)[:110]] += 1
            return self._timed(query, conn, sql, unbuffered)

        cls.query = counted_query
        cls.begin = lambda conn: self._named("BEGIN", begin, conn)
        cls.commit = lambda conn: self._named("COMMIT", commit, conn)

    def _named(self, name: str, call: Callable[..., Any], conn: Any) -> Any:
        self.statements[name] += 1
        try:
            return self._timed(call, conn)
        finally:
            if name == "COMMIT":
                end = time.perf_counter()
                for lock, since in self._since.items():
                    self.held[lock] += end - since
                self._since.clear()

    def _timed(self, call: Callable[..., Any], *args: Any) -> Any:
        started = time.process_time()
        try:
            return call(*args)
        finally:
            self.cpu += time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--checkout-depth", action="store_true",
                        help="a shipping method, a tax rate and a coupon on every cart (as bench/orders.py)")
    parser.add_argument("--cprofile", action="store_true", help="print the 40 costliest functions (CPU time)")
    args = parser.parse_args()
    settings = replace(load_settings(), db_name=f"shopwright_bench_profile_{os.getpid()}", ratelimit_enabled=False)
    create_database(settings)
    try:
        apply_schema(settings)
        services = Services(settings, Database(settings))
        products, _ = seed(services, 1)
        method_id, coupon_id = set_up_checkout_depth(services) if args.checkout_depth else (None, None)
        body = {**ORDER_BODY, "shipping_method_id": method_id} if method_id else ORDER_BODY
        tokens = fill_carts(services, args.orders + WARMUP_ORDERS, products, coupon_id)
        os.environ.update({"DB_NAME": settings.db_name, "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING",
                           "MAIL_SENDER_ENABLED": "false", "MAIL_BACKEND": "console",
                           "CLEANUP_INTERVAL_MINUTES": "0"})
        from backend.app import create_app  # after the environment names the bench database
        client = create_app().test_client()

        def order(token: str) -> None:
            answer = client.post("/api/v1/orders", json=body, headers={
                "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
            assert answer.status_code == 201, answer.get_data(as_text=True)

        tally = Tally()
        tally.install()
        for token in tokens[:WARMUP_ORDERS]:
            order(token)
        measured = tokens[WARMUP_ORDERS:]
        meter = CpuMeter(None, services)
        profile = cProfile.Profile(time.process_time) if args.cprofile else None
        tally.clear()
        db_before, cpu_before = meter.database_threads(), time.process_time()
        if profile:
            profile.enable()
        for token in measured:
            order(token)
        if profile:
            profile.disable()
        cpu, db_after = time.process_time() - cpu_before, meter.database_threads()
        db = sum(db_after[t] - db_before[t] for t in db_before.keys() & db_after.keys())
        n = len(measured)
        print(f"bench/orders_profile.py: {n} orders, one thread" + (", checkout depth" if args.checkout_depth else ""))
        print(f"round trips per order: {sum(tally.statements.values()) / n:.2f}")
        print(f"CPU ms per order: this process {cpu / n * 1000:.2f} (inside PyMySQL {tally.cpu / n * 1000:.2f}), "
              f"MariaDB threads {db / n * 1000:.2f}")
        for lock, seconds in tally.held.items():
            print(f"{lock} row held per order: {tally.under[lock] / n:.2f} statements and the COMMIT, "
                  f"{seconds / n * 1000:.2f} ms (first locking statement sent to COMMIT answered)")
        for statement, count in tally.statements.most_common():
            print(f"  {count / n:5.2f}  {statement}")
        if profile:
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
        services.db.pool.close()
    finally:
        drop_database(settings, settings.db_name)


if __name__ == "__main__":
    main()
