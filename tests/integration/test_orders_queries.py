"""The hot order queries use their indexes, and a page of orders costs a fixed number of queries."""
from __future__ import annotations

from backend.context import Actor
from backend.repositories.orders import LIST_FOR_USER, LIST_ITEMS
from backend.services.cart import CartOwner
from backend.services.payments import Card
from tests.conftest import uid
from tests.orders_support import ADDRESS, add_product


def _plan(db, sql, args):
    with db.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}", args)
        return {row["table"]: row for row in cur.fetchall()}


def test_order_history_reads_through_the_user_index(db):
    plan = _plan(db, LIST_FOR_USER, (1, 24, 0))
    assert plan["o"]["key"] == "ix_orders_user"
    assert plan["pay"]["key"] == "uq_payments_order" and plan["u"]["key"] == "PRIMARY"


def test_items_of_a_page_come_from_one_indexed_query(db):
    plan = _plan(db, LIST_ITEMS.format(ids="%s, %s, %s"), (1, 2, 3))
    assert plan["order_items"]["key"] == "ix_order_items_order"


def _count_so_far(db, status: str) -> tuple[int, int]:
    """(connection id, its session counter `status`): the pool hands the last released connection out next.
    Com_select counts SELECTs; Questions counts every statement sent, BEGIN and COMMIT included, this SHOW too."""
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE %s", (status,))
        return uow.conn.thread_id(), int(cur.fetchone()["Value"])


CARD = Card("4242424242424242", 12, 2099, "123", "Test Buyer")


def _order_one(services, user_id: int, product_id: int) -> None:
    services.cart.add_item(CartOwner(user_id=user_id), product_id, 1)
    services.orders.place_order(Actor(user_id=user_id), uid(), CARD, shipping_address=ADDRESS)


def test_a_page_of_orders_costs_three_queries_whatever_its_size(services, db, make_user):
    user = make_user()
    product = add_product(db, stock=100)
    for _ in range(5):
        _order_one(services, user["id"], product)
    conn_before, before = _count_so_far(db, "Com_select")
    page = services.orders.list_orders(user["id"], 1, 24)
    conn_after, after = _count_so_far(db, "Com_select")
    assert conn_before == conn_after
    assert len(page["items"]) == 5 and all(len(order["items"]) == 1 for order in page["items"])
    assert after - before == 3  # the page, its count, and the items of all its orders


def test_a_checkout_costs_fifteen_statements(services, db, make_user):
    # Checkout is the hot path and its CPU goes mostly per statement (README "Checkout under load"):
    # BEGIN, the key's claim, the cart's lock (its coupon_id with it: no coupon read without one), its
    # lines, their offers, shipping and tax in one read, order, payment, cart emptied, key's order,
    # email, audit, stock, items, COMMIT.
    user = make_user()
    product = add_product(db, stock=100)
    services.cart.add_item(CartOwner(user_id=user["id"]), product, 1)
    conn_before, before = _count_so_far(db, "Questions")
    services.orders.place_order(Actor(user_id=user["id"]), uid(), CARD, shipping_address=ADDRESS)
    conn_after, after = _count_so_far(db, "Questions")
    assert conn_before == conn_after
    assert after - before - 1 == 15  # less the SHOW that read the count after
