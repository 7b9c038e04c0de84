"""A stalled database never hangs the site (docs/api.md, "Operation under failure and attack"; the README,
"When the database fails").

The real app runs under gunicorn as `make run` serves it (2 workers x WEB_THREADS threads) against a
TCP proxy in front of the database. Under concurrent load the proxy is paused, as SIGSTOP freezes a
server: connections stay open and silent. Checked: requests that need the database answer 503
database_unavailable within 5 s, /health within 2 s, `/` and static CSS keep answering 200, the app
serves again by itself after the resume, and orders placed with Idempotency-Keys during the stall
and retried afterwards exist exactly once each, all of them told to their client.

Run with -s to see the answer times (the README's figures come from this test).
"""
from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest

from backend.config import ROOT
from tests.helpers import TcpProxy, _free_port
from tests.orders_support import add_product, order_body

WARM, STALL, RECOVER = 2.0, 8.0, 5.0  # seconds of each phase
BROWSERS, BUYERS = 16, 8  # plus 4 watchers (health x2, /, css): 28 concurrent clients
FINISH_WITHIN = 20.0  # after the load stops, buyers resolve their last order by then
DB_LIMIT, HEALTH_LIMIT, PAGE_LIMIT = 5.0, 2.0, 2.0


@dataclass
class Answer:
    kind: str  # browse, cart, order, health, page, css
    start: float  # seconds since the load began
    elapsed: float
    status: int  # 0: no answer (transport error or client timeout)
    code: str = ""


class Shop:
    """A tiny HTTP client for one server, recording every answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.t0 = time.monotonic()
        self.answers: list[Answer] = []
        self._lock = threading.Lock()

    def call(self, kind: str, method: str, path: str, body: dict | None = None,
             headers: dict | None = None) -> tuple[Answer, dict | None]:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DB_LIMIT * 2)
        data, answer_body = None, None
        try:
            sent = {"Connection": "close", **(headers or {})}
            if body is not None:
                data, sent["Content-Type"] = json.dumps(body), "application/json"
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
            if response.getheader("Content-Type", "").startswith("application/json"):
                answer_body = json.loads(raw)
        except OSError:
            status = 0
        finally:
            conn.close()
        code = (answer_body or {}).get("error", {}).get("code", "") if isinstance(answer_body, dict) else ""
        answer = Answer(kind, started - self.t0, time.monotonic() - started, status, code)
        with self._lock:
            self.answers.append(answer)
        return answer, answer_body


def _serve(settings, proxy_port: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DB_HOST": "127.0.0.1",
           "DB_PORT": str(proxy_port), "DB_USER": settings.db_user, "DB_PASSWORD": settings.db_password,
           "DB_NAME": settings.db_name, "RATELIMIT_ENABLED": "false", "MAIL_SENDER_ENABLED": "false",
           "CLEANUP_INTERVAL_MINUTES": "0", "LOG_LEVEL": "ERROR", "SECRET_KEY": settings.secret_key}
    for name in ("DB_POOL_SIZE", "WEB_THREADS", "DB_ACQUIRE_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_READ_TIMEOUT",
                 "DB_STATEMENT_SECONDS", "DB_PING_IDLE_SECONDS", "HEALTH_TIMEOUT"):
        env.pop(name, None)  # the defaults are what is promised
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn_conf.py",
                               "backend.wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shop = Shop(port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if shop.call("health", "GET", "/api/v1/health")[0].status == 200:
            return server, port
        time.sleep(0.2)
    server.terminate()
    raise AssertionError("gunicorn did not start")


def _loop(stop: threading.Event, step) -> None:
    while not stop.is_set():
        step()


def _buyer(shop: Shop, token: str, product_id: int, stop: threading.Event, told: dict[str, int],
           odd: list) -> None:
    """Cart one item, order it with a fresh key; on no answer or 503, retry that key until definite."""
    auth = {"Authorization": f"Bearer {token}"}
    key: str | None = None
    hard_stop = time.monotonic() + WARM + STALL + RECOVER + FINISH_WITHIN
    while time.monotonic() < hard_stop and not (stop.is_set() and key is None):
        if key is None:
            answer, _ = shop.call("cart", "POST", "/api/v1/cart/items", {"product_id": product_id, "quantity": 1}, auth)
            if answer.status != 201:
                time.sleep(0.2)
                continue
            key = uuid.uuid4().hex
        answer, body = shop.call("order", "POST", "/api/v1/orders", order_body(), {**auth, "Idempotency-Key": key})
        if answer.status == 201:
            if told.setdefault(key, body["id"]) != body["id"]:
                odd.append(("one key, two orders", key, told[key], body["id"]))
            key = None
        elif answer.status in (0, 503) or answer.code == "idempotency_key_in_use":
            time.sleep(0.2)
        else:
            odd.append((answer, body))
            key = None
    if key is not None:
        odd.append(("unresolved key", key))


@pytest.fixture
def proxy(settings):
    proxy = TcpProxy(settings.db_host, settings.db_port)
    proxy.start()
    yield proxy
    proxy.stop()


def test_a_stalled_database_never_hangs_the_site(settings, db, make_user, proxy):
    product_id = add_product(db, price="5.00", stock=100_000)
    buyers = [make_user() for _ in range(BUYERS)]
    server, port = _serve(settings, proxy.port)
    shop, stop = Shop(port), threading.Event()
    told: list[dict[str, int]] = [{} for _ in buyers]
    odd: list = []
    steps = [lambda: shop.call("browse", "GET", f"/api/v1/products?per_page=12&page={1 + int(time.time()) % 3}")
             ] * BROWSERS + [
        lambda: (shop.call("health", "GET", "/api/v1/health"), time.sleep(0.05)),
        lambda: (shop.call("health", "GET", "/api/v1/health"), time.sleep(0.05)),
        lambda: (shop.call("page", "GET", "/"), time.sleep(0.05)),
        lambda: (shop.call("css", "GET", "/static/css/app.css"), time.sleep(0.05)),
    ]
    threads = [threading.Thread(target=_loop, args=(stop, step)) for step in steps]
    threads += [threading.Thread(target=_buyer, args=(shop, b["token"], product_id, stop, told[i], odd))
                for i, b in enumerate(buyers)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(WARM)
        paused_at = time.monotonic() - shop.t0
        proxy.pause()
        time.sleep(STALL)
        resumed_at = time.monotonic() - shop.t0
        proxy.resume()
        time.sleep(RECOVER)
        stop.set()
        for thread in threads:
            thread.join(FINISH_WITHIN + DB_LIMIT * 3)
        assert not any(t.is_alive() for t in threads)
        lingering = _idle_transactions(db, settings.db_name)  # asked while the server still runs
    finally:
        stop.set()
        proxy.resume()
        server.terminate()
        server.wait(15)

    answers = shop.answers
    in_stall = [a for a in answers if paused_at <= a.start and a.start + a.elapsed <= resumed_at]
    _print_figures(answers, in_stall, paused_at, resumed_at)
    needs_db = {"browse", "cart", "order"}

    # Bounds: every answer came, in time.
    assert all(a.status for a in answers), [a for a in answers if not a.status][:5]
    assert max(a.elapsed for a in answers if a.kind in needs_db) < DB_LIMIT
    assert max(a.elapsed for a in answers if a.kind == "health") < HEALTH_LIMIT
    assert max(a.elapsed for a in answers if a.kind in ("page", "css")) < PAGE_LIMIT
    # During the stall: 503 database_unavailable for what needs the database, 200 for the rest.
    stalled_db = [a for a in in_stall if a.kind in needs_db]
    assert len(stalled_db) > BROWSERS and {(a.status, a.code) for a in stalled_db} == {(503, "database_unavailable")}
    assert {a.status for a in in_stall if a.kind == "health"} == {503}
    assert {a.status for a in in_stall if a.kind in ("page", "css")} == {200}
    assert sum(a.kind in ("page", "css") for a in in_stall) >= 10
    # Recovery by itself: everything answers 200 again soon after the resume.
    late = [a for a in answers if a.start >= resumed_at + 2.0 and a.kind in ("browse", "health")]
    assert late and {a.status for a in late} == {200}

    # Nothing the stall interrupted still holds a transaction and its locks on the server.
    assert lingering == 0
    # Exactly once: each key that was told 201 has one order; every order in the database was told.
    assert not odd, odd[:5]
    with db.cursor() as cur:
        for buyer, keys in zip(buyers, told, strict=True):
            cur.execute("SELECT id FROM orders WHERE user_id = %s", (buyer["id"],))
            stored = {row["id"] for row in cur.fetchall()}
            assert stored == set(keys.values()) and len(stored) == len(keys)
            cur.execute("SELECT idem_key, order_id FROM idempotency_keys WHERE user_id = %s", (buyer["id"],))
            assert {row["idem_key"]: row["order_id"] for row in cur.fetchall() if row["order_id"]} == keys
    assert sum(len(keys) for keys in told) >= BUYERS * 2
    assert any(a.kind == "order" and a.status == 503 for a in in_stall)


def _idle_transactions(db, name: str) -> int:
    """Sessions on the shop's database idle inside a transaction (holding its locks) for over 2 s."""
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM information_schema.innodb_trx t JOIN information_schema.processlist p "
                    "ON p.id = t.trx_mysql_thread_id WHERE p.db = %s AND p.command = 'Sleep' AND p.time > 2", (name,))
        return cur.fetchone()["n"]


def _print_figures(answers: list[Answer], in_stall: list[Answer], paused_at: float, resumed_at: float) -> None:
    print(f"\nstall {resumed_at - paused_at:.1f} s; answers started and finished inside it:")
    print(f"{'kind':<8}{'n':>6}{'statuses':>22}{'p50 s':>8}{'p95 s':>8}{'max s':>8}")
    for kind in ("browse", "cart", "order", "health", "page", "css"):
        mine = sorted(a.elapsed for a in in_stall if a.kind == kind)
        if mine:
            counts = Counter(a.status for a in in_stall if a.kind == kind)
            statuses = ",".join(f"{status}x{n}" for status, n in sorted(counts.items()))
            print(f"{kind:<8}{len(mine):>6}{statuses:>22}{statistics.median(mine):>8.3f}"
                  f"{mine[int(0.95 * (len(mine) - 1))]:>8.3f}{mine[-1]:>8.3f}")
    first_ok = min((a.start + a.elapsed for a in answers if a.kind == "browse" and a.status == 200
                    and a.start >= resumed_at), default=float("nan"))
    print(f"first catalog 200 after resume: {first_ok - resumed_at:.2f} s; all answers: {len(answers)}")

