"""What compression costs: req/s of GET /api/v1/products?per_page=24 plain, gzip and brotli, in one run.

Creates its own database, seeds products, starts gunicorn as `make run` serves the shop (backend/gunicorn_conf.py,
2 workers x 8 threads) on 127.0.0.1, and drives it with wrk (Debian's `wrk`; -t2 -c16) once per encoding and
compression level, interleaved so drift on a busy machine hits every variant alike. Prints req/s, bytes per
answer and the ratio to the uncompressed run of the same server. Stops the server and drops the database.
Run: .venv/bin/python bench/compression.py [--port 5301] [--seconds 8] [--rounds 2] [--levels 6:4,1:1]
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import brotli  # installed with Flask-Compress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.app import create_app  # noqa: E402
from backend.config import load_settings  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402

PATH = "/api/v1/products?per_page=24"
ENCODINGS = {"identity": None, "gzip": "gzip", "br": "br"}


def levelled_app(gzip_level: int, br_level: int):
    """The shop's app with other compression levels (gunicorn calls this factory in each worker)."""
    app = create_app()
    app.config.update(COMPRESS_LEVEL=gzip_level, COMPRESS_BR_LEVEL=br_level)
    return app


def _start(port: int, db_name: str, levels: tuple[int, int]) -> subprocess.Popen:
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DB_NAME": db_name, "RATELIMIT_ENABLED": "false",
           "MAIL_SENDER_ENABLED": "false", "CLEANUP_INTERVAL_MINUTES": "0", "LOG_LEVEL": "WARNING"}
    app = f"bench.compression:levelled_app({levels[0]}, {levels[1]})"
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "backend/gunicorn_conf.py", app],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer")


def _wrk(port: int, encoding: str | None, seconds: int) -> tuple[float, int]:
    """req/s and bytes per answer (headers included) from one wrk run."""
    header = ["-H", f"Accept-Encoding: {encoding}"] if encoding else []
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "5s", *header,
                          f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    size = re.search(r"requests in [\d.]+\w+, ([\d.]+)(\w+) read", out)
    scale = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[size.group(2)]
    return rps, int(float(size.group(1)) * scale / max(requests, 1))


def _cpu_cost(body: bytes, levels: tuple[int, int]) -> dict[str, float]:
    """Microseconds to compress the answer once (median of 500, in this process): the CPU compression adds."""
    cost = {}
    for name, compress in (("gzip", lambda: gzip.compress(body, levels[0])),
                           ("br", lambda: brotli.compress(body, quality=levels[1], lgwin=22))):
        samples = []
        for _ in range(500):
            start = time.perf_counter()
            compress()
            samples.append((time.perf_counter() - start) * 1e6)
        cost[name] = statistics.median(samples)
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5301)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--levels", default="6:4,1:1", help="gzip:brotli levels, the first is the one served")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk (apt-get install -y wrk)")
    settings = replace(load_settings(), db_name=f"shopwright_bench_compress_{os.getpid()}", log_level="WARNING",
                       mail_sender_enabled=False, cleanup_interval_minutes=0)
    create_database(settings)
    try:
        apply_schema(settings)
        app = create_app(settings=settings)
        app.extensions["shopwright"].seed.seed_catalog(args.products)
        body = app.test_client().get(PATH).data
        for levels in [tuple(int(n) for n in pair.split(":")) for pair in args.levels.split(",")]:
            server = _start(args.port, settings.db_name, levels)
            try:
                results: dict[str, list[tuple[float, int]]] = {name: [] for name in ENCODINGS}
                for _ in range(args.rounds):
                    for name, encoding in ENCODINGS.items():
                        results[name].append(_wrk(args.port, encoding, args.seconds))
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
            base = sum(r for r, _ in results["identity"]) / args.rounds
            print(f"\ngzip level {levels[0]}, brotli level {levels[1]}: GET {PATH}")
            cost = {"identity": 0.0, **_cpu_cost(body, levels)}
            print(f"{'encoding':<10}{'req/s':>10}{'bytes/answer':>14}{'vs identity':>13}{'compress us':>13}")
            for name, runs in results.items():
                rps = sum(r for r, _ in runs) / len(runs)
                print(f"{name:<10}{rps:>10.0f}{runs[-1][1]:>14}{rps / base:>13.2f}{cost[name]:>13.0f}")
    finally:
        drop_database(settings, settings.db_name)


if __name__ == "__main__":
    main()
