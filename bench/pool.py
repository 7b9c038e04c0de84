"""The pool's hot path: one pooled read (take, one indexed SELECT, give back), before and after.

    .venv/bin/python bench/pool.py [--cycles 5000] [--rounds 5]

Creates its own database (dropped at the end) and times, in one run and interleaved round by
round so a busy machine slows all three alike:
  ceiling  the SELECT alone on a bare connection (one round trip);
  before   what the pool used to do: ping when taken, the SELECT, a rollback when given back (three);
  pool     the pool now: db.uow() with the SELECT (autocommit read, no ping while fresh: one).
Prints microseconds per cycle (median of the rounds) and each against the ceiling.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.config import load_settings  # noqa: E402
from backend.db import Database, connect  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402

READ = "SELECT id, email, username FROM users WHERE id = %s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = replace(load_settings(), db_name=f"shopwright_bench_pool_{uuid.uuid4().hex[:8]}")
    create_database(settings)
    try:
        apply_schema(settings)
        run(settings, args.cycles, args.rounds)
    finally:
        drop_database(settings, settings.db_name)


def run(settings, cycles: int, rounds: int) -> None:
    db = Database(settings)
    with db.cursor() as cur:
        cur.execute("INSERT INTO users (email, username) VALUES ('bench@example.test', 'bench')")
        user_id = cur.lastrowid
    bare = connect(settings)
    bare.autocommit(True)
    old = connect(settings)  # autocommit off, as the pool's connections were

    def ceiling() -> None:
        with bare.cursor() as cur:
            cur.execute(READ, (user_id,))
            cur.fetchall()

    def before() -> None:
        old.ping(reconnect=False)
        with old.cursor() as cur:
            cur.execute(READ, (user_id,))
            cur.fetchall()
        old.rollback()

    def pool() -> None:
        with db.uow() as uow, uow.conn.cursor() as cur:
            cur.execute(READ, (user_id,))
            cur.fetchall()

    cases = {"ceiling": ceiling, "before": before, "pool": pool}
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, cycle in cases.items():
            started = time.perf_counter()
            for _ in range(cycles):
                cycle()
            timings[name].append((time.perf_counter() - started) / cycles * 1e6)
    bare.close()
    old.close()
    db.pool.close()
    top = statistics.median(timings["ceiling"])
    print(f"{cycles} cycles x {rounds} rounds, one thread, MariaDB on {settings.db_host}:{settings.db_port}")
    print(f"{'case':<10}{'us/cycle':>10}{'vs ceiling':>12}")
    for name in cases:
        us = statistics.median(timings[name])
        print(f"{name:<10}{us:>10.1f}{us / top:>12.2f}")


if __name__ == "__main__":
    main()
