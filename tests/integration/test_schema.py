"""database/schema.sql: applies twice unchanged, and its constraints refuse bad rows.
(Upgrades of older databases: test_migrations.py.)"""
from __future__ import annotations

import pymysql
import pytest

from backend.db import connect
from backend.migrate import MigrationReport, apply_schema, read_migrations
from tests.conftest import uid


def _table_definitions(settings) -> dict[str, str]:
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            names = sorted(next(iter(row.values())) for row in cur.fetchall())
            result = {}
            for name in names:
                cur.execute(f"SHOW CREATE TABLE `{name}`")
                # AUTO_INCREMENT counters move as other tests insert rows; the definition must not.
                text = cur.fetchone()["Create Table"]
                result[name] = " ".join(p for p in text.split() if not p.startswith("AUTO_INCREMENT="))
            return result
    finally:
        conn.close()


def test_schema_applies_twice_and_changes_nothing(settings):
    before = _table_definitions(settings)
    # The suite's database was made by the same entry point: nothing is pending, nothing changes.
    assert apply_schema(settings) == MigrationReport(fresh=False, applied=[])
    assert _table_definitions(settings) == before
    assert {"users", "sessions", "pending_registrations", "one_time_codes", "password_reset_tokens",
            "addresses", "categories", "products", "offers", "search_log", "carts", "cart_items",
            "saved_items", "orders", "order_items", "payments", "idempotency_keys", "email_outbox",
            "audit_log", "backups", "job_leases"} <= set(before)


def test_the_suite_database_records_every_migration_as_applied(db):
    with db.cursor() as cur:
        cur.execute("SELECT migration_id FROM _yoyo_migration ORDER BY migration_id")
        recorded = [row["migration_id"] for row in cur.fetchall()]
    assert recorded == [m.id for m in read_migrations()]


def test_every_table_is_innodb_utf8mb4(db):
    with db.cursor() as cur:
        cur.execute("SELECT table_name AS t, engine, table_collation FROM information_schema.tables "
                    "WHERE table_schema = DATABASE()")
        rows = cur.fetchall()
    assert rows
    for row in rows:
        assert row["engine"] == "InnoDB", row
        assert row["table_collation"].startswith("utf8mb4"), row


def test_a_products_search_words_go_with_it_and_words_compare_exactly(db):
    with db.cursor() as cur:
        product_id = _insert_product(cur)
        cur.execute("INSERT INTO product_terms (term, product_id, weight) VALUES ('lamp', %s, 3), ('lämp', %s, 1)",
                    (product_id, product_id))  # utf8mb4_bin: distinct words (search_words folds accents first)
        cur.execute("DELETE FROM products WHERE id = %s", (product_id,))
        cur.execute("SELECT COUNT(*) AS n FROM product_terms WHERE product_id = %s", (product_id,))
        assert cur.fetchone()["n"] == 0
        cur.execute("SHOW INDEX FROM products WHERE Index_type = 'FULLTEXT'")
        assert cur.fetchall() == ()  # the search index replaced it (migration 0005)


def _insert_product(cur, price="1.00", stock=1):
    cur.execute("INSERT INTO products (name, slug, description, price, stock) VALUES (%s, %s, '', %s, %s)",
                (f"P {uid()}", f"p-{uid()}", price, stock))
    return cur.lastrowid


@pytest.mark.parametrize("price, stock", [("-0.01", 1), ("1.00", -1)])
def test_products_refuse_negative_price_or_stock(db, price, stock):
    with pytest.raises(pymysql.err.OperationalError) as info, db.cursor() as cur:
        _insert_product(cur, price, stock)
    assert info.value.args[0] in (4025, 3819)  # MariaDB / MySQL: CHECK constraint failed


def test_stock_cannot_be_decremented_below_zero(db):
    with db.cursor() as cur:
        product_id = _insert_product(cur, stock=2)
    with pytest.raises(pymysql.err.OperationalError), db.cursor() as cur:
        cur.execute("UPDATE products SET stock = stock - 3 WHERE id = %s", (product_id,))
    with db.cursor() as cur:
        cur.execute("SELECT stock FROM products WHERE id = %s", (product_id,))
        assert cur.fetchone()["stock"] == 2


@pytest.mark.parametrize("quantity", [0, -2])
def test_cart_items_refuse_non_positive_quantity(db, quantity):
    with db.cursor() as cur:
        product_id = _insert_product(cur)
        cur.execute("INSERT INTO carts (guest_token_hash) VALUES (%s)", (uid().ljust(64, "0"),))
        cart_id = cur.lastrowid
    with pytest.raises(pymysql.err.OperationalError), db.cursor() as cur:
        cur.execute("INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (%s, %s, %s)",
                    (cart_id, product_id, quantity))


def test_users_refuse_unknown_role_and_duplicate_email(db):
    email = f"dup-{uid()}@example.test"
    with pytest.raises(pymysql.err.OperationalError), db.cursor() as cur:
        cur.execute("INSERT INTO users (email, username, role) VALUES (%s, %s, 'emperor')", (email, uid()))
    with db.cursor() as cur:
        cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))
    with pytest.raises(pymysql.err.IntegrityError), db.cursor() as cur:
        cur.execute("INSERT INTO users (email, username) VALUES (%s, %s)", (email, uid()))


def test_offers_need_exactly_one_kind_and_target(db):
    with db.cursor() as cur:
        product_id = _insert_product(cur)
    bad = [("10.00", "5.00", product_id), (None, None, product_id), ("150.00", None, product_id)]
    for percent, amount, target in bad:
        with pytest.raises(pymysql.err.OperationalError), db.cursor() as cur:
            cur.execute("INSERT INTO offers (name, percent_off, amount_off, product_id, starts_at, ends_at) "
                        "VALUES ('x', %s, %s, %s, '2026-01-01', '2026-02-01')", (percent, amount, target))


def test_order_items_refuse_negative_price(db, make_user):
    user = make_user()
    with db.cursor() as cur:
        product_id = _insert_product(cur)
        cur.execute("INSERT INTO orders (user_id, subtotal, total, currency, shipping_address) "
                    "VALUES (%s, 1, 1, 'USD', '{}')", (user["id"],))
        order_id = cur.lastrowid
    with pytest.raises(pymysql.err.OperationalError), db.cursor() as cur:
        cur.execute("INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, line_total) "
                    "VALUES (%s, %s, 'x', -1, 1, 1)", (order_id, product_id))
