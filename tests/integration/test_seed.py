"""The seed command's service: a three-level category tree and priced, stocked products."""
from __future__ import annotations

from decimal import Decimal


def test_seed_catalog_builds_a_three_level_tree_with_products(services, db):
    leaves = services.seed.seed_catalog(60)
    with db.cursor() as cur:
        cur.execute("SELECT path FROM categories WHERE id = %s", (leaves[0],))
        path = cur.fetchone()["path"]
        assert path.count("/") == 4  # "/top/middle/leaf/"
        cur.execute("SELECT COUNT(*) AS n, MIN(price) AS lo, MIN(stock) AS s FROM products "
                    "WHERE category_id IN ({})".format(",".join(["%s"] * len(leaves))), leaves)
        row = cur.fetchone()
    assert row["n"] == 60
    assert row["lo"] >= Decimal("1.99") and row["s"] >= 0


def test_seed_users_share_one_hash(services, db):
    services.seed.seed_users(3, "a-long-password")
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(DISTINCT password_hash) AS n FROM users WHERE id > "
                    "(SELECT MAX(id) - 3 FROM (SELECT id FROM users) u)")
        assert cur.fetchone()["n"] == 1


def test_seed_catalog_makes_a_few_products_with_variants(services, db):
    leaves = services.seed.seed_catalog(120)
    with db.cursor() as cur:
        cur.execute("SELECT p.id, p.name FROM products p WHERE p.category_id IN ({}) AND p.variant_price IS NOT NULL "
                    "ORDER BY p.id".format(",".join(["%s"] * len(leaves))), leaves)
        made = {row["name"]: row["id"] for row in cur.fetchall()}
    assert set(made) == {"Aurora 8 Smartphone", "Organic Cotton T-shirt", "Trail Helmet"}
    phone = services.products.get_product(made["Aurora 8 Smartphone"])
    assert phone["options"] == [{"name": "Storage", "values": ["128 GB", "256 GB"]},
                                {"name": "Colour", "values": ["Black", "Silver"]}]
    prices = {v["variant_label"]: v["price"] for v in phone["variants"]}
    assert prices["256 GB / Black"] - prices["128 GB / Black"] == Decimal("100.00")
    assert phone["price"] == prices["128 GB / Black"] == phone["base_price"]
    assert phone["stock"] == sum(v["stock"] for v in phone["variants"])
    shirt = services.products.get_product(made["Organic Cotton T-shirt"])
    assert len(shirt["variants"]) == 8 and shirt["variants"][0]["variant_label"] == "S / White"
