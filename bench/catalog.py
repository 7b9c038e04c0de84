"""Catalog speed: p95 latency of listing, category filter, price filter, search and deep pages.

Creates its own databases (one per catalog size), seeds 10,000 and 100,000 products in a three-level
category tree with the seed service, sends requests through the app in-process (Flask's test client,
so the figures include routing, validation, services, SQL and JSON), prints a table and drops the
databases. Run: .venv/bin/python bench/catalog.py [--sizes 10000,100000] [--requests 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.app import create_app  # noqa: E402
from backend.config import load_settings  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from bench.orders import percentile  # noqa: E402

SEARCH_TERMS = ["walnut", "oak chair", "titanium", "wireless headphone", "linen", "maple desk", "copper"]


def _settings(db_name: str):
    base = load_settings()
    quiet = {"db_name": db_name, "ratelimit_enabled": False, "mail_sender_enabled": False, "log_level": "WARNING"}
    names = {f.name for f in fields(base)}
    if "cleanup_interval_minutes" in names:
        quiet["cleanup_interval_minutes"] = 0
    return replace(base, **{k: v for k, v in quiet.items() if k in names})


def _measure(client, urls: list[str], requests: int) -> tuple[float, float]:
    samples = []
    for n in range(requests):
        url = urls[n % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return statistics.median(samples), percentile(samples, 95)


def run_size(size: int, requests: int) -> dict[str, dict[str, tuple[float, float]]]:
    settings = _settings(f"shopwright_bench_catalog_{size}_{os.getpid()}")
    create_database(settings)
    try:
        apply_schema(settings)
        app = create_app(settings=settings)
        services = app.extensions["shopwright"]
        started = time.perf_counter()
        services.seed.seed_catalog(size)
        print(f"  seeded {size} products in {time.perf_counter() - started:.1f} s", flush=True)
        with services.db.cursor() as cur:
            cur.execute("ANALYZE TABLE products, categories")
            cur.fetchall()
            cur.execute("SELECT id FROM categories WHERE parent_id IS NULL ORDER BY id")
            departments = [r["id"] for r in cur.fetchall()]
        api = "/api/v1/products"
        cases = {
            "listing (page 1)": [f"{api}?page=1&per_page=24"],
            "category subtree": [f"{api}?category_id={d}" for d in departments],
            "price filter": [f"{api}?min_price={lo}&max_price={lo + 100}" for lo in (50, 250, 600, 900, 1500)],
            "price filter, price_asc": [f"{api}?min_price={lo}&max_price={lo + 100}&sort=price_asc"
                                        for lo in (50, 250, 600, 900, 1500)],
            "search": [f"{api}?q={term.replace(' ', '+')}" for term in SEARCH_TERMS],
            "listing page 500": [f"{api}?page=500&per_page=24"],
        }
        results = {}
        # "cached": as served (the listing cache keeps totals and search rankings for a few seconds);
        # "uncached": CATALOG_CACHE_SECONDS=0, so every request counts and ranks from scratch.
        uncached = create_app(settings=replace(settings, catalog_cache_seconds=0))
        for mode, mode_app in (("cached", app), ("uncached", uncached)):
            client = mode_app.test_client()
            for urls in cases.values():  # one warm-up pass: the first case must not pay for cold buffers
                for url in urls:
                    client.get(url)
            results[mode] = {name: _measure(client, urls, requests) for name, urls in cases.items()}
            mode_app.extensions["shopwright"].db.pool.close()
        return results
    finally:
        drop_database(settings, settings.db_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, dict[str, tuple[float, float]]]] = {}
    for size in sizes:
        print(f"catalog of {size} products:", flush=True)
        results[size] = run_size(size, args.requests)
    for mode in ("cached", "uncached"):
        _print_table(mode, sizes, {size: results[size][mode] for size in sizes})
    print(f"({args.requests} sequential requests per case, one client, Flask test client in-process)")


def _print_table(mode: str, sizes: list[int], table: dict[int, dict[str, tuple[float, float]]]) -> None:
    names = list(next(iter(table.values())))
    header = f"case ({mode})".ljust(26) + "".join(f"{f'p50/p95 ms @ {s:,}':>24}" for s in sizes)
    if len(sizes) > 1:
        header += f"{'p95 ratio':>11}"
    print()
    print(header)
    print("-" * len(header))
    for name in names:
        line = name.ljust(26) + "".join(f"{table[s][name][0]:>15.1f} / {table[s][name][1]:>5.1f}" for s in sizes)
        if len(sizes) > 1:
            line += f"{table[sizes[-1]][name][1] / table[sizes[0]][name][1]:>10.2f}x"
        print(line)
    for size in sizes:
        deep = table[size]["listing page 500"][1] / table[size]["listing (page 1)"][1]
        print(f"page 500 vs page 1 (p95) at {size:,}: {deep:.2f}x")


if __name__ == "__main__":
    main()
