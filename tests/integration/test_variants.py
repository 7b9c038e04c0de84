"""Variants against the real database: migration 0002 keeps data, concurrent duplicate writes, the caches
(products.variant_price, stock sum, current prices) in step with variant writes, offers and time."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from backend.config import ROOT
from backend.context import SYSTEM
from backend.db import maintenance_connect
from backend.migrate import apply_schema, create_database, drop_database
from tests.catalog_support import offer, product, tree, variant
from tests.conftest import uid

MIGRATION = ROOT / "database" / "migrations" / "0002.variants.sql"
# What 0002 adds, taken back off a schema.sql database: the schema as it was before variants.
BEFORE_0002 = [
    "ALTER TABLE order_items DROP FOREIGN KEY fk_order_items_variant",
    "ALTER TABLE order_items DROP KEY ix_order_items_variant, DROP COLUMN variant_id, DROP COLUMN sku, "
    "DROP COLUMN variant_label",
    "ALTER TABLE cart_items DROP PRIMARY KEY, DROP COLUMN variant_id, ADD PRIMARY KEY (cart_id, product_id)",
    "ALTER TABLE saved_items DROP PRIMARY KEY, DROP COLUMN variant_id, ADD PRIMARY KEY (user_id, product_id)",
    "ALTER TABLE products DROP COLUMN variant_price",
    "DROP TABLE variant_option_values", "DROP TABLE product_options", "DROP TABLE product_variants",
]
STRUCTURE = [
    "SELECT table_name AS t, column_name AS c, column_type AS ty, is_nullable AS n, column_default AS d "
    "FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1, 2",
    "SELECT table_name AS t, index_name AS i, seq_in_index AS s, column_name AS c, non_unique AS u "
    "FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1, 2, 3",
    "SELECT constraint_name AS c, table_name AS t, referenced_table_name AS r, delete_rule AS d "
    "FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() ORDER BY 1, 2",
    "SELECT constraint_name AS c, check_clause AS k FROM information_schema.check_constraints "
    "WHERE constraint_schema = DATABASE() ORDER BY 1",
]


def _statements(path) -> list[str]:
    # As a DBA's mysql client runs it: comment lines out, statements split at ';' (none inside a literal).
    text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("--"))
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


def _run(settings, statements) -> list[list[dict]]:
    conn = maintenance_connect(settings)
    try:
        with conn.cursor() as cur:
            answers = []
            for stmt in statements:
                cur.execute(stmt)
                answers.append(list(cur.fetchall()))
        conn.commit()
        return answers
    finally:
        conn.close()


@pytest.fixture
def scratch(settings):
    """Two databases of their own: one made from schema.sql, one taken back to before 0002."""
    made = [replace(settings, db_name=f"shopwright_v{n}_{uid()}") for n in (1, 2)]
    for one in made:
        create_database(one)
        apply_schema(one)
    _run(made[1], BEFORE_0002)
    yield made
    for one in made:
        drop_database(one, one.db_name)


def test_migration_0002_keeps_lines_and_orders_and_gives_the_schema(scratch):
    current, old = scratch
    _run(old, [
        "INSERT INTO users (email, username) VALUES ('m@example.test', 'm')",
        "INSERT INTO carts (user_id) VALUES (1)",
        "INSERT INTO products (name, slug, description, price, stock) VALUES ('Mug', 'mug', '', 4.00, 3)",
        "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (1, 1, 2)",
        "INSERT INTO saved_items (user_id, product_id, quantity) VALUES (1, 1, 1)",
        "INSERT INTO orders (user_id, subtotal, total, currency, shipping_address) VALUES (1, 4, 4, 'USD', '{}')",
        "INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, line_total) "
        "VALUES (1, 1, 'Mug', 4.00, 1, 4.00)"])
    for _ in range(2):  # safe to re-run
        _run(old, _statements(MIGRATION))
    rows = _run(old, ["SELECT cart_id, product_id, variant_id, quantity FROM cart_items",
                      "SELECT user_id, product_id, variant_id, quantity FROM saved_items",
                      "SELECT product_id, variant_id, sku, variant_label, name FROM order_items",
                      "SELECT variant_price, stock FROM products"])
    assert rows == [[{"cart_id": 1, "product_id": 1, "variant_id": 0, "quantity": 2}],
                    [{"user_id": 1, "product_id": 1, "variant_id": 0, "quantity": 1}],
                    [{"product_id": 1, "variant_id": None, "sku": None, "variant_label": None, "name": "Mug"}],
                    [{"variant_price": None, "stock": 3}]]
    assert _run(old, STRUCTURE) == _run(current, STRUCTURE)


def test_two_staff_adding_one_combination_at_once_make_one_variant(app, services, make_user):
    shirt = product(services, f"Shirt {uid()}", "10.00", 0)
    staff = make_user("product_manager")
    barrier, statuses = threading.Barrier(6), []

    def add(n: int) -> None:
        barrier.wait()
        response = app.test_client().post(f"/api/v1/products/{shirt['id']}/variants", headers=staff["headers"],
                                          json={"sku": f"RACE-{n}-{uid()}", "options": {"Size": "M"}, "stock": 1})
        statuses.append((response.status_code, response.get_json().get("error", {}).get("code")))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [(201, None)] + [(409, "duplicate_combination")] * 5
    assert len(services.variants.list_variants(shirt["id"])["variants"]) == 1


def _product_row(db, product_id: int) -> dict:
    with db.cursor() as cur:
        cur.execute("SELECT price, variant_price, current_price, stock FROM products WHERE id = %s", (product_id,))
        return cur.fetchone()


def _variant_prices(db, product_id: int) -> list[Decimal]:
    with db.cursor() as cur:
        cur.execute("SELECT current_price FROM product_variants WHERE product_id = %s AND is_archived = 0 "
                    "ORDER BY id", (product_id,))
        return [row["current_price"] for row in cur.fetchall()]


def test_product_caches_follow_every_variant_write(services, db):
    made = product(services, f"Phone {uid()}", "300.00", 7)
    assert _product_row(db, made["id"]) == {"price": Decimal("300.00"), "variant_price": None,
                                            "current_price": Decimal("300.00"), "stock": 7}
    small = variant(services, made["id"], {"Storage": "128 GB"}, stock=2, price="250.00")
    big = variant(services, made["id"], {"Storage": "256 GB"}, stock=5)
    assert _product_row(db, made["id"]) == {"price": Decimal("300.00"), "variant_price": Decimal("250.00"),
                                            "current_price": Decimal("250.00"), "stock": 7}
    services.variants.update_variant(SYSTEM, made["id"], small["id"], {"price": Decimal("350.00"), "stock": 1})
    assert _product_row(db, made["id"])["variant_price"] == Decimal("300.00")
    assert _product_row(db, made["id"])["stock"] == 6
    assert _variant_prices(db, made["id"]) == [Decimal("350.00"), Decimal("300.00")]
    services.variants.delete_variant(SYSTEM, made["id"], big["id"])
    assert _product_row(db, made["id"]) == {"price": Decimal("300.00"), "variant_price": Decimal("350.00"),
                                            "current_price": Decimal("350.00"), "stock": 1}


def test_offers_and_time_reprice_variants(services, db, travel):
    ids = tree(services, {"Phones": {}})
    made = product(services, f"Phone {uid()}", "100.00", 0, ids["Phones"])
    variant(services, made["id"], {"Colour": "Black"}, stock=1)
    variant(services, made["id"], {"Colour": "Gold"}, stock=1, price="200.00")
    now = services.products.now()
    # A category offer written now reprices every variant in the same transaction...
    written = offer(services, now, percent="10", category_id=ids["Phones"])
    assert _variant_prices(db, made["id"]) == [Decimal("90.00"), Decimal("180.00")]
    services.offers.delete_offer(SYSTEM, written["id"])
    assert _variant_prices(db, made["id"]) == [Decimal("100.00"), Decimal("200.00")]
    # ... and one that starts later reprices them when the listing's price filter sees the time pass.
    offer(services, now, amount="50", product_id=made["id"], starts=timedelta(hours=1), ends=timedelta(hours=2))
    assert _variant_prices(db, made["id"]) == [Decimal("100.00"), Decimal("200.00")]
    travel(timedelta(minutes=90))
    found = services.products.list_products(category_id=ids["Phones"], min_price=Decimal("140"),
                                            max_price=Decimal("160"))
    assert [item["id"] for item in found["items"]] == [made["id"]]
    assert _variant_prices(db, made["id"]) == [Decimal("50.00"), Decimal("150.00")]
    assert _product_row(db, made["id"])["current_price"] == Decimal("50.00")
