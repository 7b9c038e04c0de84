"""Rows read per request and in-process p50/p95 of catalog_http's endpoints, on already seeded databases.

    .venv/bin/python bench/catalog_reads.py --databases NAME[,NAME...] [--cases "price filter,category subtree"]
    (cases: catalog_http's endpoint names, and "narrow price filter")

Seed each database once (`DB_NAME=NAME flask --app backend.wsgi init-db` then `seed --products N`) and
run this as often as wanted: it changes nothing and drops nothing. Each case is bench/catalog_http.py's
own list of URLs (the same filter/sort/page combinations), sent one at a time through the Flask test
client with CATALOG_CACHE_SECONDS=0 and a pool of one connection, so that connection's session
counters (Handler_read_*: the index entries and rows the server stepped through) belong to the request
just made. A handler read does not tell an entry read from the index alone from one that also fetched
its row by primary key, so every SELECT the request ran is also run again under MariaDB's ANALYZE
FORMAT=JSON, and its InnoDB pages accessed (r_engine_stats, MariaDB 10.9+) are added up. Neither count
drifts on a busy machine; the milliseconds do (the load average is printed).
"""
from __future__ import annotations

import sys
from pathlib import Path

# As in catalog_http.py: this folder must not stand in front of the standard library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

from backend import db as db_module  # noqa: E402
from backend.app import create_app  # noqa: E402
from bench.catalog import _settings  # noqa: E402
from bench.catalog_http import cases  # noqa: E402
from bench.orders import percentile  # noqa: E402

_READS = ("Handler_read_first", "Handler_read_key", "Handler_read_last", "Handler_read_next",
          "Handler_read_prev", "Handler_read_rnd", "Handler_read_rnd_next")


def _reads(db) -> int:
    with db.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE 'Handler_read%%'")
        return sum(int(row["Value"]) for row in cur.fetchall() if row["Variable_name"] in _READS)


class _Recorder:
    """Keeps the text of every statement the pool's cursors run while on (the request's SELECTs)."""

    def __init__(self) -> None:
        self.on = False
        self.statements: list[str] = []
        execute = db_module.UnitCursor.execute
        recorder = self

        def recording(cursor, query, args=None):  # type: ignore[no-untyped-def]
            if recorder.on:
                recorder.statements.append(cursor.mogrify(query, args))
            return execute(cursor, query, args)

        db_module.UnitCursor.execute = recording  # type: ignore[method-assign]


def _pages(node: object) -> int:
    """The InnoDB pages accessed over every table of an ANALYZE FORMAT=JSON plan."""
    if isinstance(node, dict):
        own = node.get("r_engine_stats", {}).get("pages_accessed", 0)
        return own + sum(_pages(value) for value in node.values())
    if isinstance(node, list):
        return sum(_pages(value) for value in node)
    return 0


def _pages_accessed(db, statements: list[str]) -> int:
    total = 0
    with db.cursor() as cur:
        for sql in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                cur.execute("ANALYZE FORMAT=JSON " + sql)  # no args: no % formatting
                total += _pages(json.loads(next(iter(cur.fetchone().values()))))
    return total


def run_database(name: str, wanted: list[str], recorder: _Recorder) -> dict[str, tuple]:
    settings = replace(_settings(name), catalog_cache_seconds=0, db_pool_size=1)
    app = create_app(settings=settings)
    services = app.extensions["shopwright"]
    with services.db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM products")
        size = cur.fetchone()["n"]
    urls = cases(services, size)
    # Besides catalog_http's: price ranges holding 0.025% to 0.1% of the catalog (250 to 1,000 products of
    # 1,000,000), where reading the range beats walking the catalog by date.
    urls["narrow price filter"] = [f"/api/v1/products?min_price={low}&max_price={low + width}"
                                   for low in range(0, 2000, 20) for width in (0.5, 1, 2)]
    client = app.test_client()
    # What reading the counters itself reads, taken off every request's figure.
    overhead = min(-_reads(services.db) + _reads(services.db) for _ in range(5))
    results = {}
    for case in wanted:
        for url in urls[case]:  # warm-up: buffers and code paths
            client.get(url)
        times, reads, pages = [], [], []
        for url in urls[case]:
            before = _reads(services.db)
            recorder.on, recorder.statements = True, []
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            recorder.on = False
            reads.append(_reads(services.db) - before - overhead)
            pages.append(_pages_accessed(services.db, recorder.statements))
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
        results[case] = (size, statistics.median(times), percentile(times, 95), statistics.mean(reads), max(reads),
                         statistics.mean(pages), max(pages))
    services.db.pool.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", required=True, help="comma-separated names of seeded databases")
    parser.add_argument("--cases", default="price filter,category subtree")
    args = parser.parse_args()
    wanted = args.cases.split(",")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    recorder = _Recorder()
    print("| database | products | endpoint | p50 ms | p95 ms | handler reads per request, mean (max) "
          "| pages accessed per request, mean (max) |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for name in args.databases.split(","):
        results = run_database(name, wanted, recorder)
        for case, (size, p50, p95, reads, most_reads, pages, most_pages) in results.items():
            print(f"| {name} | {size:,} | {case} | {p50:.1f} | {p95:.1f} | {reads:,.0f} ({most_reads:,}) "
                  f"| {pages:,.0f} ({most_pages:,}) |", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
