"""The shop on a 3-node Galera cluster behind two app servers: no oversell, one order per key, every
email once, and node failures survived. The tests run in file order: the kills come last."""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.cluster.conftest import call, figure
from tests.conftest import new_user, uid
from tests.orders_support import add_product, order_body


def _on_node(node, sql: str, args=()) -> list[dict]:
    conn = node.connect("shopwright_cluster")
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION wsrep_sync_wait = 1")  # this node has applied everything committed before
            cur.execute(sql, args)
            return list(cur.fetchall())
    finally:
        conn.close()


def _together(count: int, work) -> list:
    """work(i) in count threads released at one moment; the results in order."""
    barrier = threading.Barrier(count)

    def run(i: int):
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _buyers(services, apps, count: int, product: int, quantity: int = 1) -> list[dict]:
    buyers = [new_user(services) for _ in range(count)]
    for i, buyer in enumerate(buyers):
        status, body = call(apps[i % 2], "POST", "/api/v1/cart/items",
                            {"product_id": product, "quantity": quantity}, buyer["headers"])
        assert status == 201, body
    return buyers


def _order(app, buyer: dict, key: str | None = None):
    return call(app, "POST", "/api/v1/orders", order_body(),
                {**buyer["headers"], "Idempotency-Key": key or uid()})


def test_both_apps_serve_from_their_own_node_of_a_3_node_cluster(cluster, apps):
    for app, node in zip(apps, cluster.nodes, strict=False):
        status, health = call(app, "GET", "/api/v1/health")
        assert status == 200, health
        assert (health["database_node"], health["cluster_size"]) == (node.address, 3)


def test_40_buyers_on_two_app_nodes_race_for_the_last_5_units(cluster, services, apps):
    product = add_product(services.db, "9.99", stock=5)
    buyers = _buyers(services, apps, 40, product)
    results = _together(40, lambda i: _order(apps[i % 2], buyers[i]))
    statuses = Counter(status for status, _ in results)
    codes = Counter(body["error"]["code"] for status, body in results if status == 409)
    assert statuses == Counter({201: 5, 409: 35}), results
    assert codes == Counter({"insufficient_stock": 35})
    for node in cluster.nodes:
        assert _on_node(node, "SELECT stock FROM products WHERE id = %s", (product,)) == [{"stock": 0}]
        sold = _on_node(node, "SELECT SUM(quantity) AS n FROM order_items WHERE product_id = %s", (product,))
        assert int(sold[0]["n"]) == 5


def _orders_per_second(services, targets) -> float:
    """40 orders (4 products, 8 clients at a time) spread over targets; orders per second."""
    products = [add_product(services.db, "5.00", stock=1000) for _ in range(4)]
    buyers = [new_user(services) for _ in range(40)]
    jobs = [(targets[i % len(targets)], buyer) for i, buyer in enumerate(buyers)]
    for i, (app, buyer) in enumerate(jobs):
        call(app, "POST", "/api/v1/cart/items", {"product_id": products[i % 4], "quantity": 1}, buyer["headers"])
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda job: _order(*job), jobs))
    elapsed = time.monotonic() - started
    assert Counter(status for status, _ in results) == Counter({201: 40}), results
    return 40 / elapsed


def test_orders_per_second_on_two_app_nodes_against_one(services, apps):
    """The figure for the README: rounds through both apps and through one, interleaved (the machine is
    shared, so single rounds drift); the median of three of each."""
    two, one = [], []
    for _ in range(3):
        two.append(_orders_per_second(services, apps))
        one.append(_orders_per_second(services, apps[:1]))
    two_rate, one_rate = sorted(two)[1], sorted(one)[1]
    figure("orders/s, two app nodes (median of 3 rounds of 40, 8 clients)", f"{two_rate:.1f}")
    figure("orders/s, one app node (same run, interleaved)", f"{one_rate:.1f}")
    figure("ratio two/one", f"{two_rate / one_rate:.2f}")


def test_30_replays_of_one_idempotency_key_on_both_app_nodes_make_one_order_charged_once(cluster, services, apps):
    product = add_product(services.db, "7.00", stock=50)
    (buyer,) = _buyers(services, apps, 1, product, quantity=2)
    key = f"replay-{uid()}"
    results = _together(30, lambda i: _order(apps[i % 2], buyer, key))
    assert {status for status, _ in results} == {201}, results
    assert len({body["id"] for _, body in results}) == 1
    for node in cluster.nodes:
        orders = _on_node(node, "SELECT id FROM orders WHERE user_id = %s", (buyer["id"],))
        assert len(orders) == 1
        payments = _on_node(node, "SELECT reference FROM payments WHERE order_id = %s", (orders[0]["id"],))
        assert len(payments) == 1
        assert _on_node(node, "SELECT stock FROM products WHERE id = %s", (product,)) == [{"stock": 48}]


def test_two_app_nodes_outbox_senders_send_every_email_exactly_once(cluster, services, smtp_sink, apps):
    tag = uid()
    with services.db.cursor() as cur:  # a burst for the four senders (2 apps x 2 workers) to share
        for i in range(120):
            cur.execute("INSERT INTO email_outbox (to_addr, subject, body_text) VALUES (%s, %s, 'x')",
                        (f"burst-{tag}@example.test", f"burst {tag} {i}"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pending = _on_node(cluster.nodes[2], "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'pending'")
        if pending[0]["n"] == 0:
            break
        time.sleep(0.5)
    rows = _on_node(cluster.nodes[2], "SELECT to_addr, subject, status FROM email_outbox")
    assert {row["status"] for row in rows} == {"sent"}
    sent = Counter((m.to[0], m.subject) for m in smtp_sink.messages)
    # Every queued message (order confirmations from the tests before, and the burst) exactly once.
    assert sent == Counter((row["to_addr"].lower(), row["subject"]) for row in rows)
    assert sum(1 for to, _ in sent if to == f"burst-{tag}@example.test") == 120


def _load(apps, buyers, product, stop: threading.Event, results: list) -> None:
    i = 0
    while not stop.is_set():
        buyer = buyers[i % len(buyers)]
        app = apps[i % 2]
        results.append(call(app, "POST", "/api/v1/cart/items", {"product_id": product, "quantity": 1},
                            buyer["headers"]))
        results.append(call(app, "GET", "/api/v1/cart", headers=buyer["headers"]))
        i += 1


def test_a_node_killed_under_load_fails_no_request_and_rejoins(cluster, services, apps):
    product = add_product(services.db, "3.00", stock=100000)
    buyers = [new_user(services) for _ in range(8)]
    stop, results = threading.Event(), []
    workers = [threading.Thread(target=_load, args=(apps, buyers[i::4], product, stop, results)) for i in range(4)]
    node = cluster.nodes[2]  # node 3: neither app's own node
    for worker in workers:
        worker.start()
    try:
        time.sleep(2)
        node.kill()
        time.sleep(6)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        # Restarted, it rejoins (state transfer), whatever the load saw.
        started = time.monotonic()
        node.start()
        cluster.wait(cluster.all_synced, 120, "node 3 did not rejoin")
        figure("node 3 rejoin after restart (Synced, size 3)", f"{time.monotonic() - started:.1f} s")
    failed = [(status, body) for status, body in results if status not in (200, 201)]
    assert not failed, failed[:5]
    assert len(results) > 20
    figure("requests under load while node 3 was killed", f"{len(results)}, none failed")
    # It holds the writes made while it was down.
    lines = "SELECT COALESCE(SUM(quantity), 0) AS n FROM cart_items WHERE product_id = %s"
    assert _on_node(node, lines, (product,)) == _on_node(cluster.nodes[0], lines, (product,))


def test_the_app_nodes_own_database_node_killed_it_serves_again_within_5_seconds(cluster, services, apps):
    assert cluster.all_synced()  # one node down at a time: 2 of 3 keep the quorum
    buyer = new_user(services)
    app, own = apps[0], cluster.nodes[0]
    assert call(app, "GET", "/api/v1/health")[1]["database_node"] == own.address
    own.kill()
    started, statuses = time.monotonic(), []
    while time.monotonic() - started < 10:
        status, _ = call(app, "GET", "/api/v1/orders", headers=buyer["headers"], timeout=5)
        statuses.append(status)
        if status == 200:
            break
        time.sleep(0.05)
    failover = time.monotonic() - started
    figure("failover of app A after its database node was killed", f"{failover:.2f} s ({len(statuses)} requests)")
    assert statuses[-1] == 200 and failover < 5, statuses
    status, health = call(app, "GET", "/api/v1/health")
    assert status == 200 and health["database_node"] != own.address
    # The survivors evict the dead node within seconds; health follows what its node reports.
    cluster.wait(lambda: call(app, "GET", "/api/v1/health")[1]["cluster_size"] == 2, 15, "no eviction")
    assert call(apps[1], "GET", "/api/v1/orders", headers=buyer["headers"])[0] == 200
    started = time.monotonic()
    own.start()  # back as a joiner of the running cluster (not --wsrep-new-cluster)
    cluster.wait(cluster.all_synced, 120, "node 1 did not rejoin")
    figure("node 1 rejoin after restart (Synced, size 3)", f"{time.monotonic() - started:.1f} s")
    status, health = call(app, "GET", "/api/v1/health")
    assert status == 200 and health["cluster_size"] == 3
