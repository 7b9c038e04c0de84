"""Catalog reads over HTTP, against the framework's own ceiling measured in the same run.

    .venv/bin/python bench/catalog_http.py [--products 100000] [--seconds 6] [--connections 16]
    .venv/bin/python bench/catalog_http.py --products 10000,100000,1000000   (also compares p95 across sizes)

For each catalog size: creates a throwaway database, seeds it with the seed service, starts the shop
as `make run` serves it (gunicorn -c backend/gunicorn_conf.py backend.wsgi:app, with
CATALOG_CACHE_SECONDS=0 so no per-worker cache flatters it) and the ceiling app (bench/ceiling.py: one
indexed 24-row query + jsonify on the same gunicorn settings and pool code), on 127.0.0.1 only. Then
it drives each endpoint for a fixed time with concurrent keep-alive clients (wrk when installed,
rotating through many distinct filter/sort/page combinations with its Lua hook; else a Python
client), runs the ceiling between every two endpoints, prints a markdown table of requests/s,
p50/p95/p99 and the ratio to the ceiling, stops both servers and drops the database.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where this very file would stand in
# for the standard library's http package: take the folder out before anything imports http.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from urllib.parse import quote_plus  # noqa: E402

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from bench.orders import percentile, stop_server  # noqa: E402

APP_PORT = 5400  # default; the ceiling listens on the next port; both servers bind 127.0.0.1
API = "/api/v1"
GOALS = {"search (q; page 2; by price)": 0.5}  # every other catalog read: 0.6 of the ceiling
GOAL = 0.6
MATERIALS = ["bamboo", "carbon", "ceramic", "cotton", "copper", "graphite", "linen", "maple", "oak", "steel",
             "titanium", "walnut", "wool"]
ADJECTIVES = ["classic", "compact", "deluxe", "everyday", "heritage", "modern", "nordic", "rugged", "silent",
              "smart", "studio", "urban", "vintage", "wireless"]
# Words in (nearly) every product's text: the searches that match the whole catalog.
COMMON_WORDS = ["warranty", "easy care", "built to last", "shelf"]

WRK_SCRIPT = r"""
-- Each thread walks the URL list from its own starting point, one URL per request.
local paths, i = {}, 0
local made = 0
function setup(thread) made = made + 1; thread:set("tid", made) end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = ((tid or 1) * 7919) % #paths
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "bad_status": %d, "errors": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d}\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def cases(services: Services, size: int) -> dict[str, list[str]]:
    """Each endpoint with many distinct filter/sort/page combinations (the same at every size)."""
    with services.db.cursor() as cur:
        cur.execute("SELECT id FROM categories ORDER BY id")
        categories = [row["id"] for row in cur.fetchall()]
        cur.execute("SELECT MIN(id) AS lo, MAX(id) AS hi FROM products")
        bounds = cur.fetchone()
    lo, hi = bounds["lo"], bounds["hi"]
    step = max(1, (hi - lo) // 997)
    searches = [*MATERIALS, *ADJECTIVES, *(f"{a} {m}" for a in ADJECTIVES for m in MATERIALS[::3]),
                *(f"{m} {n}" for m in MATERIALS for n in (17, 256, 4099)), *COMMON_WORDS]
    return {
        "listing (newest, name; pages 1-25)": [f"{API}/products?page={p}&per_page=24&sort={s}{stock}"
                                               for p in range(1, 26) for s in ("newest", "name")
                                               for stock in ("", "&in_stock=true")],
        "category subtree": [f"{API}/products?category_id={c}&sort={s}&page={p}"
                             for c in categories for s in ("newest", "name", "price_asc") for p in (1, 2)],
        "price filter": [f"{API}/products?min_price={low}&max_price={low + width}"
                         for low in range(0, 2000, 10) for width in (5, 40, 300)],
        "sort by price": [f"{API}/products?sort={s}&page={p}{stock}" for s in ("price_asc", "price_desc")
                          for p in range(1, 31) for stock in ("", "&in_stock=true")],
        "search (q; page 2; by price)": [f"{API}/products?q={quote_plus(term)}{extra}" for term in searches
                            for extra in ("", "&page=2", "&sort=price_asc")],
        # Pages 150-400: deep, yet still inside a 10,000-product catalog so sizes compare like for like.
        "deep page (150-400)": [f"{API}/products?page={p}&sort={s}" for p in range(150, 401, 5)
                                for s in ("newest", "name")],
        "product detail": [f"{API}/products/{pid}" for pid in range(lo, hi + 1, step)],
        "categories": [f"{API}/categories"],
    }


def start(module: str, settings, port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn with the shop's config on 127.0.0.1:port, as `make run` starts it."""
    env = {**os.environ, "DB_NAME": settings.db_name, "HOST": "127.0.0.1", "PORT": str(port),
           "CATALOG_CACHE_SECONDS": "0"}
    with open(log_path, "ab") as log:
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "backend/gunicorn_conf.py",
                                   module], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    health = f"{API}/health" if module == "backend.wsgi:app" else "/health"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", health)
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"{module} did not answer {health} on port {port} within 30 s (see {log_path})")


def settle(port: int, limit: float = 120.0) -> None:
    """Wait until the app has finished the requests a client left queued (wrk stops sending, not the
    server working): otherwise a slow endpoint's leftovers would be charged to the next endpoint."""
    deadline, quick = time.time() + limit, 0
    while time.time() < deadline and quick < 2:
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
            conn.request("GET", f"{API}/health")
            conn.getresponse().read()
            conn.close()
        except OSError:
            pass
        quick = quick + 1 if time.perf_counter() - started < 0.1 else 0
        time.sleep(0.05)


def drive_wrk(port: int, urls: list[str], seconds: float, connections: int, threads: int, work: Path) -> dict:
    (work / "urls.txt").write_text("\n".join(urls) + "\n")
    (work / "rotate.lua").write_text(WRK_SCRIPT)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
                          "-s", str(work / "rotate.lua"), f"http://127.0.0.1:{port}", "--", str(work / "urls.txt")],
                         capture_output=True, text=True, timeout=seconds + 30)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    raw = json.loads(line[len("RESULT "):])
    if not raw["requests"]:  # nothing answered within the run: latency is "longer than the run", not 0
        raw.update(p50=float("inf"), p95=float("inf"), p99=float("inf"))
    # Only answers below 400 count as served: a fast 503 is not a page (wrk's latencies include them).
    return {"rps": (raw["requests"] - raw["bad_status"]) / (raw["duration_us"] / 1e6), "p50": raw["p50"] / 1000,
            "p95": raw["p95"] / 1000, "p99": raw["p99"] / 1000, "bad": raw["bad_status"], "errors": raw["errors"]}


def drive_python(port: int, urls: list[str], seconds: float, connections: int) -> dict:
    """The fallback without wrk: one keep-alive http.client connection per thread (slower client)."""
    until = time.perf_counter() + seconds
    samples: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        i = n * 7919
        while time.perf_counter() < until:
            i += 1
            started = time.perf_counter()
            conn.request("GET", urls[i % len(urls)])
            response = conn.getresponse()
            response.read()
            samples[n].append((time.perf_counter() - started) * 1000)
            bad[n] += response.status >= 400

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 10)
    elapsed = time.perf_counter() - started
    every = [ms for chunk in samples for ms in chunk] or [float("inf")]  # none answered: longer than the run
    served = len(every) - sum(bad) if every[0] != float("inf") else 0
    return {"rps": served / elapsed, "p50": percentile(every, 50),
            "p95": percentile(every, 95), "p99": percentile(every, 99), "bad": sum(bad), "errors": 0}


def run_size(size: int, args: argparse.Namespace, work: Path) -> dict[str, dict]:
    settings = replace(load_settings(), db_name=f"shopwright_bench_http_{size}_{os.getpid()}")
    create_database(settings)
    servers: list[subprocess.Popen] = []
    try:
        apply_schema(settings)
        services = Services(settings, Database(settings))
        started = time.perf_counter()
        services.seed.seed_catalog(size)
        with services.db.cursor() as cur:
            cur.execute("ANALYZE TABLE products, categories")
            cur.fetchall()
        print(f"seeded {size:,} products in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        urls = cases(services, size)
        services.db.pool.close()
        app_port, ceiling_port = args.port, args.port + 1
        servers.append(start("backend.wsgi:app", settings, app_port, work / "app.log"))
        servers.append(start("bench.ceiling:app", settings, ceiling_port, work / "ceiling.log"))
        ceiling_urls = [f"/ceiling?page={p}" for p in range(1, 26)]

        def drive(port: int, case_urls: list[str], seconds: float) -> dict:
            if args.client == "wrk":
                result = drive_wrk(port, case_urls, seconds, args.connections, args.threads, work)
            else:
                result = drive_python(port, case_urls, seconds, args.connections)
            settle(app_port)
            return result

        for case_urls in [ceiling_urls, *urls.values()]:  # warm-up: buffers, pools, code paths
            drive(app_port if case_urls is not ceiling_urls else ceiling_port, case_urls, 1)
        # The ceiling runs before and after every endpoint: each endpoint is compared with the mean of
        # its two neighbours, so a machine that speeds up or slows down mid-run skews no ratio.
        ceilings = [drive(ceiling_port, ceiling_urls, args.seconds)]
        results: dict[str, dict] = {}
        for name, case_urls in urls.items():
            result = drive(app_port, case_urls, args.seconds)
            ceilings.append(drive(ceiling_port, ceiling_urls, args.seconds))
            result["combinations"] = len(case_urls)
            # More than 1% of answers refused or lost: the latencies are not those of pages served.
            refused = result["bad"] + result["errors"]
            result["clean"] = refused <= 0.01 * (result["rps"] * args.seconds + refused)
            result["ceiling"] = (ceilings[-2]["rps"] + ceilings[-1]["rps"]) / 2
            results[name] = result
            print(f"  {name}: {result['rps']:.0f} req/s, ceiling {result['ceiling']:.0f}", file=sys.stderr, flush=True)
        results["ceiling"] = {"rps": sum(c["rps"] for c in ceilings) / len(ceilings), "combinations": 25,
                              "p50": sorted(c["p50"] for c in ceilings)[len(ceilings) // 2],
                              "p95": sorted(c["p95"] for c in ceilings)[len(ceilings) // 2],
                              "p99": sorted(c["p99"] for c in ceilings)[len(ceilings) // 2],
                              "bad": sum(c["bad"] for c in ceilings), "errors": sum(c["errors"] for c in ceilings),
                              "runs": [c["rps"] for c in ceilings]}
        return results
    finally:
        for server in servers:
            stop_server(server)
        drop_database(settings, settings.db_name)


def answers_not_ok(result: dict) -> str:
    """wrk counts answers with status >= 400 (a 503 from the pool's fail-fast among them) apart from
    socket errors and timeouts: both are shown, since either means the figure is not all good pages."""
    parts = [f"{result['bad']:,} answers >= 400"] if result["bad"] else []
    parts += [f"{result['errors']:,} socket errors/timeouts"] if result["errors"] else []
    return f" ({', '.join(parts)})" if parts else ""


def print_table(size: int, results: dict[str, dict], args: argparse.Namespace) -> None:
    ceiling = results["ceiling"]
    runs = ceiling["runs"]
    print(f"\n{size:,} products; {args.client} -c{args.connections}, {args.seconds:g} s per row; the ceiling ran "
          f"{len(runs)} times, between endpoints ({min(runs):,.0f} to {max(runs):,.0f} req/s); each endpoint is "
          "compared with the mean of the ceiling runs just before and after it\n")
    print("| endpoint | combinations | req/s (answers < 400) | p50 ms | p95 ms | p99 ms | vs ceiling | goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in results.items():
        bad = answers_not_ok(r)
        if name == "ceiling":
            print(f"| ceiling: one indexed 24-row query + jsonify (mean of runs){bad} | 25 | {r['rps']:,.0f} | "
                  f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | 1.00 | |")
            continue
        goal = GOALS.get(name, GOAL)
        ratio = r["rps"] / r["ceiling"]
        clean = r["clean"]
        verdict = f"{'met' if ratio >= goal and clean else 'MISSED'} (>= {goal}{'' if clean else ', answers >= 400'})"
        print(f"| {name}{bad} | {r['combinations']:,} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['p99']:.1f} | {ratio:.2f} | {verdict} |")


def print_flatness(sizes: list[int], all_results: dict[int, dict[str, dict]]) -> None:
    small, large = sizes[0], sizes[-1]
    print(f"\np95 ms by catalog size (goal: {large:,} within 2x of {small:,})\n")
    print("| endpoint | " + " | ".join(f"{s:,}" for s in sizes) + f" | {large:,} / {small:,} | goal |")
    print("|---|" + "---:|" * len(sizes) + "---:|---|")
    for name in all_results[small]:
        if name == "ceiling":
            continue
        small_p95, large_p95 = all_results[small][name]["p95"], all_results[large][name]["p95"]
        ratio = large_p95 / small_p95 if small_p95 else float("inf")
        clean = all(all_results[s][name]["clean"] for s in sizes)
        verdict = ("met" if ratio <= 2 else "MISSED") if clean else "MISSED (answers >= 400)"
        print(f"| {name} | " + " | ".join(f"{all_results[s][name]['p95']:.1f}" for s in sizes)
              + f" | {ratio:.2f}x | {verdict} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", default="100000", help="catalog size, or sizes separated by commas")
    parser.add_argument("--seconds", type=float, default=6.0, help="measured seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=APP_PORT, help="the shop's port (the ceiling: the next one)")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()
    # A stopped bench still stops its servers and drops its database (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = sorted(int(s) for s in args.products.split(","))
    all_results: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        for size in sizes:
            all_results[size] = run_size(size, args, Path(tmp))
            print_table(size, all_results[size], args)
    if len(sizes) > 1:
        print_flatness(sizes, all_results)
    print(f"\ncommand: .venv/bin/python bench/catalog_http.py --products {','.join(map(str, sizes))} "
          f"--seconds {args.seconds:g} --connections {args.connections} --client {args.client}")


if __name__ == "__main__":
    main()
