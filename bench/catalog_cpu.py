"""CPU per catalog read, in process, against the ceiling's view measured in the same run.

    .venv/bin/python bench/catalog_cpu.py --db shopwright_x_100k [--rounds 10] [--requests 100]
    .venv/bin/python bench/catalog_cpu.py --products 100000            (seeds a throwaway database, then drops it)
    .venv/bin/python bench/catalog_cpu.py --db ... --cprofile "product detail"     (the 40 costliest functions)
    .venv/bin/python bench/catalog_cpu.py --db ... --answers answers.json          (every answer's digest, to diff)

bench/catalog_http.py measures requests/s through gunicorn, which moves with whatever else the machine runs.
This one calls the shop's WSGI app (create_app, as served, with CATALOG_CACHE_SECONDS=0) and the ceiling's
(bench/ceiling.py: one indexed 24-row query + jsonify) directly in one thread, with a WSGI environ built
beforehand for each request (as gunicorn hands one over), and counts the CPU seconds this process spends per
request (time.process_time: Flask, hooks, validation, services, PyMySQL, JSON; waiting for the database is not
CPU). The same URL lists as bench/catalog_http.py. The CPU of our MariaDB connection
threads is read from /proc (10 ms ticks: a rough figure). Every round runs the ceiling, then every endpoint;
ratio = the ceiling's ms / the endpoint's ms of the same round (the median over the rounds), the share of the
ceiling's requests/s the endpoint would reach if this CPU were all it costs. CPU time still moves with what
else the machine runs (caches, shared cores); the function calls per request (Python and C, counted over 50
requests) do not, so they compare two versions of the code on a busy machine.

The background loops (outbox sender, cleanup) are off, so no other thread of this process spends CPU; the
access log is formatted as served and written to /dev/null.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import logging
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.test import EnvironBuilder  # noqa: E402

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from bench.catalog_http import cases  # noqa: E402
from bench.orders import CpuMeter  # noqa: E402

CEILING = "ceiling: one indexed 24-row query + jsonify"
# Headers that differ between any two runs, left out of an answer's digest.
VOLATILE = {"X-Request-ID", "Date"}


def environ(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The WSGI environ of GET url from 127.0.0.1, as a server hands it to the app."""
    path, _, query = url.partition("?")
    return EnvironBuilder(path=path, query_string=query, headers=headers or {},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def call(app: Callable[..., Any], env: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request through the WSGI app: its status, headers and the whole body."""
    answer: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer[:] = [status, headers]

    chunks = app(env, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer[0], answer[1], body


def cpu_per_request(app: Callable[..., Any], urls: list[str], requests: int, start: int,
                    meter: CpuMeter) -> tuple[float, float]:
    """CPU ms per request of this process and of our database threads, over `requests` requests from urls."""
    envs = [environ(urls[(start + n) % len(urls)]) for n in range(requests)]
    db_before = meter.database_threads()
    started = time.process_time()
    for env in envs:
        status, _, _ = call(app, env)
        if not status.startswith("200"):
            raise SystemExit(f"{env['PATH_INFO']}?{env['QUERY_STRING']} answered {status}")
    cpu = time.process_time() - started
    db_after = meter.database_threads()
    db = sum(db_after[t] - db_before[t] for t in db_before.keys() & db_after.keys())
    return cpu / requests * 1000, db / requests * 1000


def calls_per_request(app: Callable[..., Any], urls: list[str], requests: int) -> float:
    """Function calls (Python and C) per request: a count the machine's load cannot move, unlike CPU time."""
    envs = [environ(urls[n % len(urls)]) for n in range(requests)]
    count = 0

    def counter(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(counter)
    try:
        for env in envs:
            call(app, env)
    finally:
        sys.setprofile(None)
    return count / requests


def digest_answers(app: Callable[..., Any], urls: dict[str, list[str]]) -> dict[str, Any]:
    """Every URL's answer (status, headers, body digest) plain, compressed and revalidated: two runs with the
    same database give the same file exactly when the code gives the same answers."""
    digests: dict[str, Any] = {}
    variants = {"plain": {}, "gzip": {"Accept-Encoding": "gzip"}, "br": {"Accept-Encoding": "br, gzip"}}
    for case_urls in urls.values():
        for url in case_urls:
            for variant, headers in variants.items():
                status, head, body = call(app, environ(url, headers))
                if dict(head).get("Content-Encoding") == "gzip":
                    body = body[:4] + body[8:]  # every byte but gzip's MTIME, the time it was compressed
                digests[f"{variant} {url}"] = [status, sorted((k, v) for k, v in head if k not in VOLATILE),
                                               hashlib.sha256(body).hexdigest()]
                etag = dict(head).get("ETag")
                if etag and variant == "plain":
                    status, head, body = call(app, environ(url, {"If-None-Match": etag}))
                    digests[f"304 {url}"] = [status, sorted((k, v) for k, v in head if k not in VOLATILE),
                                             hashlib.sha256(body).hexdigest()]
    # Errors keep their shape too.
    for url in ("/api/v1/products?page=0&sort=nope&min_price=-1", "/api/v1/products?min_price=9&max_price=1",
                "/api/v1/products?category_id=999999999", "/api/v1/products/999999999", "/api/v1/products?per_page=x"):
        status, head, body = call(app, environ(url))
        digests[f"error {url}"] = [status, sorted((k, v) for k, v in head if k not in VOLATILE), body.decode()]
    return digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an already seeded database (else --products seeds a throwaway one)")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100, help="requests per endpoint per round")
    parser.add_argument("--cprofile", metavar="ENDPOINT", help="profile this endpoint (or 'ceiling') instead")
    parser.add_argument("--answers", metavar="FILE", help="write every answer's digest to FILE and stop")
    args = parser.parse_args()
    settings = replace(load_settings(), db_name=args.db or f"shopwright_bench_cpu_{os.getpid()}",
                       catalog_cache_seconds=0, mail_sender_enabled=False, cleanup_interval_minutes=0)
    if not args.db:
        create_database(settings)
    try:
        if not args.db:
            apply_schema(settings)
            Services(settings, Database(settings)).seed.seed_catalog(args.products)
        run(settings, args)
    finally:
        if not args.db:
            drop_database(settings, settings.db_name)


def run(settings: Any, args: argparse.Namespace) -> None:
    # The access log is formatted as served (INFO) but goes nowhere: basicConfig in create_app then adds nothing.
    logging.basicConfig(level=settings.log_level, stream=open(os.devnull, "w"))  # noqa: SIM115
    os.environ["DB_NAME"] = settings.db_name  # bench/ceiling.py builds its pool on import
    from backend.app import create_app
    from bench.ceiling import app as ceiling_app
    shop = create_app(settings=settings)
    services: Services = shop.extensions["shopwright"]
    with services.db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM products")
        size = cur.fetchone()["n"]
    urls = cases(services, size)
    if args.answers:
        Path(args.answers).write_text(json.dumps(digest_answers(shop, urls), indent=0, sort_keys=True))
        print(f"{args.answers}: the answers to {sum(map(len, urls.values()))} URLs")
        return
    apps = {CEILING: (ceiling_app, [f"/ceiling?page={p}" for p in range(1, 26)])}
    apps.update({name: (shop, found) for name, found in urls.items()})
    meter = CpuMeter(None, services)
    for app, case_urls in apps.values():  # warm-up: imports, pools, code paths
        cpu_per_request(app, case_urls, 50, 0, meter)
    if args.cprofile:
        name = next(n for n in apps if n.startswith(args.cprofile))
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        cpu_per_request(*apps[name], args.requests * args.rounds, 0, meter)
        profile.disable()
        print(f"{name}: {args.requests * args.rounds} requests")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(40)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())
        return
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
    for round_ in range(args.rounds):
        for name, (app, case_urls) in apps.items():  # the ceiling first in every round
            samples[name].append(cpu_per_request(app, case_urls, args.requests, round_ * args.requests, meter))
    print(f"\n{size:,} products; {args.rounds} rounds x {args.requests} requests per endpoint, one thread; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| endpoint | combinations | app CPU ms/request (median; min-max of rounds) | MariaDB CPU ms/request "
          "| ceiling ms / app ms (median of rounds) | function calls/request |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rounds in samples.items():
        app_ms = [s[0] for s in rounds]
        # Each round's endpoint against the ceiling's run of the same round: the machine's mood cancels out.
        ratio = statistics.median(c[0] / s[0] for c, s in zip(samples[CEILING], rounds, strict=True))
        print(f"| {name} | {len(apps[name][1]):,} | {statistics.median(app_ms):.3f} ({min(app_ms):.3f}-"
              f"{max(app_ms):.3f}) | {statistics.median(s[1] for s in rounds):.2f} | {ratio:.2f} | "
              f"{calls_per_request(*apps[name], 50):,.0f} |")
    print(f"\ncommand: .venv/bin/python bench/catalog_cpu.py --db {settings.db_name} --rounds {args.rounds} "
          f"--requests {args.requests}")
    services.db.pool.close()


if __name__ == "__main__":
    main()
