"""Migrations: a first-release database (database/baseline.sql) with real data, upgraded by every file of
database/migrations, equals a new install from schema.sql (columns, indexes, foreign keys, checks), keeps
its data and serves it; the files re-run (straight, or piped into the mysql client) change nothing."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backend.app import create_app
from backend.config import Settings
from backend.db import maintenance_connect
from backend.migrate import (
    BASELINE_FILE,
    MIGRATIONS_DIR,
    YOYO_TABLES,
    MigrationError,
    MigrationReport,
    apply_schema,
    create_database,
    drop_database,
    migration_status,
    read_migrations,
    schema_statements,
    sql_statements,
)
from tests.conftest import uid

COLUMNS = """
SELECT table_name AS t, column_name AS c, column_type AS column_type, is_nullable AS is_nullable,
       column_default AS column_default, extra AS extra, collation_name AS collation_name
FROM information_schema.columns WHERE table_schema = DATABASE()"""
INDEXES = """
SELECT table_name AS t, index_name AS i, seq_in_index AS seq, column_name AS c, sub_part AS sub_part,
       non_unique AS non_unique, index_type AS index_type
FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY t, i, seq"""
FOREIGN_KEYS = """
SELECT k.table_name AS t, k.constraint_name AS name, k.column_name AS c, k.referenced_table_name AS ref_t,
       k.referenced_column_name AS ref_c, r.update_rule AS update_rule, r.delete_rule AS delete_rule
FROM information_schema.key_column_usage k
JOIN information_schema.referential_constraints r
  ON r.constraint_schema = k.constraint_schema AND r.table_name = k.table_name
 AND r.constraint_name = k.constraint_name
WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL ORDER BY t, name, k.ordinal_position"""
# Every information_schema column is aliased: MySQL 8 names them in capitals.
# MariaDB's check_constraints has table_name; MySQL 8's does not (check names are unique per schema there).
CHECKS_MARIADB = """
SELECT table_name AS t, constraint_name AS name, check_clause AS clause
FROM information_schema.check_constraints WHERE constraint_schema = DATABASE()"""
CHECKS_MYSQL = """
SELECT tc.table_name AS t, tc.constraint_name AS name, cc.check_clause AS clause
FROM information_schema.table_constraints tc
JOIN information_schema.check_constraints cc
  ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
WHERE tc.table_schema = DATABASE() AND tc.constraint_type = 'CHECK'"""


@pytest.fixture(scope="module")
def new_database(settings) -> Iterator:
    """new_database(tag) -> Settings of a new empty database; every one is dropped after the module."""
    made: list[Settings] = []

    def make(tag: str) -> Settings:
        mine = replace(settings, db_name=f"shopwright_mig_{tag}_{uid()}")
        create_database(mine)
        made.append(mine)
        return mine

    yield make
    for mine in made:
        drop_database(mine, mine.db_name)


@pytest.fixture(scope="module")
def reference(new_database) -> dict[str, Any]:
    """The shape of a new install (schema.sql through the same entry point as init-db)."""
    fresh = new_database("fresh")
    assert apply_schema(fresh).fresh
    return schema_shape(fresh)


def _execute(settings: Settings, statements: list[str], params: list[tuple] | None = None) -> list[int]:
    """Run statements on one connection, committed; returns each one's lastrowid."""
    conn = maintenance_connect(settings)
    ids = []
    try:
        with conn.cursor() as cur:
            for n, stmt in enumerate(statements):
                cur.execute(stmt, params[n] if params else None)
                ids.append(cur.lastrowid)
        conn.commit()
    finally:
        conn.close()
    return ids


def _query(settings: Settings, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
    conn = maintenance_connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())
    finally:
        conn.close()


def _migration_files() -> list[Path]:
    return sorted(p for p in MIGRATIONS_DIR.glob("*.sql") if not p.name.endswith(".rollback.sql"))


def _run_migration_files(settings: Settings) -> None:
    """Every migration file, statement by statement, as a DBA's client would send them."""
    for path in _migration_files():
        _execute(settings, sql_statements(path.read_text()))


def baseline_database(new_database, tag: str) -> Settings:
    """A database made from the first release's schema, with none of yoyo's records."""
    mine = new_database(tag)
    _execute(mine, sql_statements(BASELINE_FILE.read_text()))
    return mine


def _normalise_clause(clause: str) -> str:
    # Servers print the same check with other quoting, charset introducers and spacing.
    text = re.sub(r"_utf8mb4(?=')|\\|`", "", clause.lower())
    return re.sub(r"[\s()]", "", text)


def schema_shape(settings: Settings) -> dict[str, Any]:
    """Columns, indexes, foreign keys and checks of the shop's tables (yoyo's own left out)."""
    def shop(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r["t"] not in YOYO_TABLES]

    columns = {(r["t"], r["c"]): (r["column_type"], r["is_nullable"], r["column_default"], r["extra"],
                                  r["collation_name"]) for r in shop(_query(settings, COLUMNS))}
    indexes: dict[tuple[str, str], dict[str, Any]] = {}
    for r in shop(_query(settings, INDEXES)):
        entry = indexes.setdefault((r["t"], r["i"]), {"unique": not r["non_unique"], "type": r["index_type"],
                                                      "columns": []})
        entry["columns"].append((r["c"], r["sub_part"]))
    foreign: dict[tuple[str, str], dict[str, Any]] = {}
    for r in shop(_query(settings, FOREIGN_KEYS)):
        entry = foreign.setdefault((r["t"], r["name"]), {
            "ref": r["ref_t"], "rules": (r["update_rule"], r["delete_rule"]), "columns": [], "ref_columns": []})
        entry["columns"].append(r["c"])
        entry["ref_columns"].append(r["ref_c"])
    is_maria = "mariadb" in _query(settings, "SELECT VERSION() AS v")[0]["v"].lower()
    checks = {(r["t"], r["name"]): _normalise_clause(r["clause"])
              for r in shop(_query(settings, CHECKS_MARIADB if is_maria else CHECKS_MYSQL))}
    return {"columns": columns, "indexes": indexes, "foreign_keys": foreign, "checks": checks}


def assert_same_shape(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    for part in ("columns", "indexes", "foreign_keys", "checks"):
        got, want = actual[part], expected[part]
        missing = {k: want[k] for k in want.keys() - got.keys()}
        extra = {k: got[k] for k in got.keys() - want.keys()}
        differ = {k: (got[k], want[k]) for k in want.keys() & got.keys() if got[k] != want[k]}
        assert not (missing or extra or differ), f"{part}: missing {missing}, extra {extra}, differ {differ}"


def put_v1_data(settings: Settings) -> dict[str, Any]:
    """A customer, a category, two products, a cart with a line and a paid order, as the v1 app wrote them."""
    tag = uid()
    address = {"full_name": "Ada Lovelace", "line1": "1 Analytical St", "line2": "", "city": "London",
               "postal_code": "N1 1AA", "country": "GB", "phone": ""}
    user_id, category_id = _execute(settings, [
        "INSERT INTO users (email, username, password_hash, full_name) VALUES (%s, %s, NULL, 'Ada Lovelace')",
        "INSERT INTO categories (name, slug, path) VALUES ('Phones', %s, '/')",
    ], [(f"ada-{tag}@example.test", f"ada_{tag}"), (f"phones-{tag}",)])
    _execute(settings, ["UPDATE categories SET path = %s WHERE id = %s"], [(f"/{category_id}/", category_id)])
    phone_id, case_id, cart_id, order_id = _execute(settings, [
        "INSERT INTO products (category_id, name, slug, description, price, current_price, stock) "
        "VALUES (%s, 'Pocket Phone', %s, 'A phone that fits.', 399.00, 399.00, 7)",
        "INSERT INTO products (category_id, name, slug, description, price, current_price, stock) "
        "VALUES (%s, 'Phone Case', %s, 'Leather.', 19.50, 19.50, 40)",
        "INSERT INTO carts (user_id) VALUES (%s)",
        "INSERT INTO orders (user_id, status, subtotal, total, currency, shipping_address) "
        "VALUES (%s, 'paid', 418.50, 418.50, 'USD', %s)",
    ], [(category_id, f"pocket-phone-{tag}"), (category_id, f"phone-case-{tag}"), (user_id,),
        (user_id, json.dumps(address))])
    _execute(settings, [
        "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (%s, %s, 2)",
        "INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, line_total) "
        "VALUES (%s, %s, 'Pocket Phone', 399.00, 1, 399.00)",
        "INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, line_total) "
        "VALUES (%s, %s, 'Phone Case', 19.50, 1, 19.50)",
    ], [(cart_id, case_id), (order_id, phone_id), (order_id, case_id)])
    return {"user_id": user_id, "category_id": category_id, "phone_id": phone_id, "case_id": case_id,
            "cart_id": cart_id, "order_id": order_id}


def _recorded(settings: Settings) -> list[str]:
    rows = _query(settings, "SELECT migration_id FROM _yoyo_migration ORDER BY migration_id")
    return [r["migration_id"] for r in rows]


def _all_ids() -> list[str]:
    return [m.id for m in read_migrations()]


# ---------------------------------------------------------------------------------------------- tests
def test_migration_files_are_numbered_in_order_and_plain():
    files = _migration_files()
    assert files and files[0].name.startswith("0001.")
    # Four-digit numbers, each used once (a branch may lack another branch's number until both merge).
    assert all(re.fullmatch(r"\d{4}\.[a-z0-9_-]+\.sql", p.name) for p in files), [p.name for p in files]
    numbers = [int(p.name.split(".")[0]) for p in files]
    assert numbers == sorted(set(numbers))
    assert [p.stem for p in files] == _all_ids()
    for path in files:
        # Pipeable into the mysql client: no client-only DELIMITER, and every ';' ends a statement.
        text = path.read_text()
        assert "DELIMITER" not in text.upper()
        assert all(stmt.count("'") % 2 == 0 for stmt in sql_statements(text)), path.name


def test_baseline_plus_every_migration_equals_schema_sql_keeps_data_and_reruns_cleanly(new_database, reference):
    old = baseline_database(new_database, "up")
    data = put_v1_data(old)
    before = schema_shape(old)
    assert before != reference  # the baseline really is older

    report = apply_schema(old)

    assert report == MigrationReport(fresh=False, applied=_all_ids())
    assert _recorded(old) == sorted(_all_ids())
    assert_same_shape(schema_shape(old), reference)
    # Applying the files again straight, as a DBA would, fails nowhere and changes nothing.
    _run_migration_files(old)
    assert_same_shape(schema_shape(old), reference)
    assert apply_schema(old) == MigrationReport(fresh=False, applied=[])
    _assert_data_kept_and_served(old, data)


def _assert_data_kept_and_served(settings: Settings, data: dict[str, Any]) -> None:
    app = create_app(settings=settings)
    services = app.extensions["shopwright"]
    try:
        client = app.test_client()
        detail = client.get(f"/api/v1/products/{data['phone_id']}")
        assert detail.status_code == 200, detail.get_json()
        body = detail.get_json()
        assert (body["name"], body["price"], body["stock"]) == ("Pocket Phone", "399.00", 7)
        assert [c["id"] for c in body["category_path"]] == [data["category_id"]]
        with services.db.uow() as uow:
            session = services.sessions.start(uow, data["user_id"], "127.0.0.1", "pytest")
            uow.commit()
        headers = {"Authorization": f"Bearer {session.token}"}
        cart = client.get("/api/v1/cart", headers=headers)
        assert cart.status_code == 200, cart.get_json()
        assert [(line["product_id"], line["quantity"]) for line in cart.get_json()["items"]] == [(data["case_id"], 2)]
        order = client.get(f"/api/v1/orders/{data['order_id']}", headers=headers)
        assert order.status_code == 200, order.get_json()
        order = order.get_json()
        assert (order["status"], order["total"], order["shipping_address"]["city"]) == ("paid", "418.50", "London")
        assert sorted((i["name"], i["unit_price"]) for i in order["items"]) == [
            ("Phone Case", "19.50"), ("Pocket Phone", "399.00")]
        tree = client.get("/api/v1/categories")
        assert tree.status_code == 200
        # 0001 seeds the category tree's token, so workers may keep the built tree at once.
        assert services.categories.tree() is services.categories.tree()
        rows = _query(settings, "SELECT price, stock FROM products WHERE id IN (%s, %s) ORDER BY id",
                      (data["phone_id"], data["case_id"]))
        assert [(r["price"], r["stock"]) for r in rows] == [(Decimal("399.00"), 7), (Decimal("19.50"), 40)]
    finally:
        services.db.pool.close()


def test_init_db_upgrades_a_baseline_database(new_database, reference):
    """The `make run` path: make db runs flask init-db, which applies the pending migrations."""
    old = baseline_database(new_database, "initdb")
    data = put_v1_data(old)
    app = create_app(settings=old)
    runner = app.test_cli_runner()
    try:
        with app.app_context():
            result = runner.invoke(args=["init-db"])
            assert result.exit_code == 0, result.output
            assert f"applied {len(_all_ids())} migration(s): {', '.join(_all_ids())}" in result.output
            status = runner.invoke(args=["migrate", "--status"])
            assert status.exit_code == 0, status.output
            assert [f"applied  {i}" for i in _all_ids()] == status.output.splitlines()[:len(_all_ids())]
            # 0005 brought the search index empty: the products from before it are indexed once.
            assert "search index: 2 product(s) indexed" in result.output
            again = runner.invoke(args=["migrate"])
            assert "up to date (no pending migration)" in again.output and "search index" not in again.output
            found = app.test_client().get("/api/v1/products?q=pocket").get_json()
            assert [item["id"] for item in found["items"]] == [data["phone_id"]]
    finally:
        app.extensions["shopwright"].db.pool.close()
    assert_same_shape(schema_shape(old), reference)
    _assert_data_kept_and_served(old, data)


def test_a_database_from_an_earlier_main_is_upgraded_in_place(new_database, reference):
    """Shops that ran main before migrations got the newer tables from schema.sql at start, and no
    yoyo records: every migration runs on them and changes nothing already there."""
    main = new_database("main")
    _execute(main, schema_statements())
    _execute(main, ["INSERT INTO category_tree_version (id, token) VALUES (1, 'kept-token')"])
    assert apply_schema(main) == MigrationReport(fresh=False, applied=_all_ids())
    assert_same_shape(schema_shape(main), reference)
    assert _query(main, "SELECT token FROM category_tree_version")[0]["token"] == "kept-token"


def test_a_database_made_by_no_release_is_refused_and_left_unrecorded(new_database):
    """Some first-release tables without records (a first init-db cut off half way): no migration runs."""
    half = new_database("half")
    _execute(half, schema_statements()[:3])
    with pytest.raises(MigrationError, match="no migration records"):
        apply_schema(half)
    assert _recorded(half) == []
    made = _query(half, "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() "
                        "AND table_name = 'job_leases'")
    assert made == [{"n": 0}]  # 0001 did not run


def test_a_new_install_records_every_migration_as_applied(new_database, reference):
    fresh = new_database("new")
    report = apply_schema(fresh)
    assert report.fresh and report.statements == len(schema_statements())
    assert _recorded(fresh) == sorted(_all_ids())
    assert migration_status(fresh) == [{"id": i, "applied": True} for i in _all_ids()]
    assert apply_schema(fresh) == MigrationReport(fresh=False, applied=[])
    assert_same_shape(schema_shape(fresh), reference)


def test_two_processes_starting_together_migrate_once(new_database, reference):
    old = baseline_database(new_database, "twice")
    reports: list[MigrationReport] = []
    workers = [threading.Thread(target=lambda: reports.append(apply_schema(old))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(len(r.applied) for r in reports) == [0, len(_all_ids())]
    applies = _query(old, "SELECT migration_id FROM _yoyo_log WHERE operation = 'apply' ORDER BY migration_id")
    assert [r["migration_id"] for r in applies] == _all_ids()
    assert_same_shape(schema_shape(old), reference)


def test_a_lock_left_by_a_killed_process_gives_a_clear_error(new_database, monkeypatch):
    fresh = new_database("lock")
    apply_schema(fresh)
    _execute(fresh, ["INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, UTC_TIMESTAMP(), 999999)"])
    monkeypatch.setattr("backend.migrate.LOCK_SECONDS", 1)
    with pytest.raises(MigrationError, match="yoyo break-lock"):
        apply_schema(fresh)
    _execute(fresh, ["DELETE FROM yoyo_lock"])
    assert apply_schema(fresh) == MigrationReport(fresh=False, applied=[])


def test_yoyo_tables_have_primary_keys_and_are_innodb(new_database):
    """Galera replicates only tables with a primary key; yoyo's bookkeeping must qualify."""
    fresh = new_database("pk")
    apply_schema(fresh)
    rows = _query(fresh, "SELECT t.table_name AS t, t.engine AS engine, COUNT(c.constraint_name) AS pks "
                         "FROM information_schema.tables t LEFT JOIN information_schema.table_constraints c "
                         "ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
                         "AND c.constraint_type = 'PRIMARY KEY' WHERE t.table_schema = DATABASE() "
                         "GROUP BY t.table_name, t.engine")
    by_name = {r["t"]: r for r in rows}
    assert set(YOYO_TABLES) <= set(by_name)
    assert [name for name, r in by_name.items() if r["pks"] != 1 or r["engine"] != "InnoDB"] == []


def _client() -> str | None:
    return shutil.which("mariadb") or shutil.which("mysql")


@pytest.mark.skipif(_client() is None, reason="neither the mariadb nor the mysql client is installed")
def test_piping_every_migration_into_the_mysql_client_upgrades_a_baseline_database(new_database, reference):
    old = baseline_database(new_database, "pipe")
    data = put_v1_data(old)
    command = [_client(), f"--host={old.db_host}", f"--port={old.db_port}", f"--user={old.db_user}",
               *(["--skip-ssl"] if not old.db_ssl else []), old.db_name]
    env = {**os.environ, "MYSQL_PWD": old.db_password}
    for _ in range(2):  # the second pass must change nothing and fail nowhere
        for path in _migration_files():
            with open(path, "rb") as sql:
                done = subprocess.run(command, stdin=sql, capture_output=True, env=env, timeout=120)
            assert done.returncode == 0, (path.name, done.stderr.decode())
        assert_same_shape(schema_shape(old), reference)
    # Piped files leave no yoyo record: the app then runs them once more (a no-op) and records them.
    assert apply_schema(old) == MigrationReport(fresh=False, applied=_all_ids())
    assert_same_shape(schema_shape(old), reference)
    _assert_data_kept_and_served(old, data)
