"""The demo catalog gets real generated pictures, from a few distinct files; big (bench) catalogs get none."""
from __future__ import annotations

import io
import time

from PIL import Image

from backend.repositories.seed import SeedRepository
from backend.services.seed import PICTURES_UP_TO


def _first_new_id(db) -> int:
    with db.uow() as uow:
        return SeedRepository(uow.conn).max_product_id() + 1


def test_the_demo_catalog_has_pictures_from_a_dozen_or_so_files(services, db, client):
    first = _first_new_id(db)
    started = time.perf_counter()
    services.seed.seed_catalog(120)
    assert time.perf_counter() - started < 20  # make run's seed stays quick
    with db.cursor() as cur:
        cur.execute("SELECT p.id, p.cover_url, i.position, i.thumb_file, i.medium_file, i.large_file, i.width, "
                    "i.height, i.alt, p.name FROM products p JOIN product_images i ON i.product_id = p.id "
                    "WHERE p.id >= %s ORDER BY p.id, i.position", (first,))
        rows = cur.fetchall()
    products = {row["id"] for row in rows}
    assert len(products) == 120
    assert all(row["cover_url"] == f"/media/{row['thumb_file']}" for row in rows if row["position"] == 0)
    assert any(row["position"] == 1 for row in rows)  # some products have a second picture
    files = {row[c] for row in rows for c in ("thumb_file", "medium_file", "large_file")}
    assert len(files) <= 3 * 30  # a few dozen files for 120 products and their ~160 images
    assert all(services.media.exists(name) for name in files)
    sample = rows[0]
    assert (sample["width"], sample["height"]) == (1200, 1200) and sample["alt"] == sample["name"]
    large = Image.open(io.BytesIO(client.get(f"/media/{sample['large_file']}").data))
    assert large.size == (1200, 1200) and large.format == "JPEG"
    detail = client.get(f"/api/v1/products/{sample['id']}").get_json()
    assert detail["image_url"] == sample["cover_url"] and detail["images"][0]["urls"]["large"].endswith(
        sample["large_file"])


def test_a_catalog_over_the_demo_size_gets_no_pictures(services, db):
    first = _first_new_id(db)
    services.seed.seed_catalog(PICTURES_UP_TO + 1)
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM product_images WHERE product_id >= %s", (first,))
        assert cur.fetchone()["n"] == 0
        cur.execute("SELECT COUNT(*) AS n FROM products WHERE id >= %s AND cover_url IS NOT NULL", (first,))
        assert cur.fetchone()["n"] == 0
