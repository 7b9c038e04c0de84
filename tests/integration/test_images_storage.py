"""Image files and rows together, against the real database and a real directory: atomic writes, dedupe by
content, and nothing left behind when the database write fails after the files were written."""
from __future__ import annotations

import os
from decimal import Decimal

import pymysql
import pytest

from backend.context import SYSTEM
from backend.media_store import MediaStore
from backend.repositories.images import ImageRepository
from backend.services import imaging
from tests.conftest import uid
from tests.images_support import jpeg, png


@pytest.fixture
def product_id(services):
    return services.products.create_product(SYSTEM, {"name": f"Stored {uid()}", "price": Decimal("3.00")})["id"]


def files_of(image: dict) -> set[str]:
    return {url.rsplit("/", 1)[1] for url in image["urls"].values()}


def test_the_store_writes_atomically_and_only_names_it_makes(tmp_path):
    store = MediaStore(tmp_path / "media")
    name = imaging.file_name(b"abc", "jpg")
    assert store.write(name, b"abc") is True
    assert store.write(name, b"abc") is False  # there already: content-addressed, nothing to do
    assert (tmp_path / "media" / name).read_bytes() == b"abc"
    assert os.listdir(tmp_path / "media") == [name]  # no temp file left
    assert store.names() == [name]
    for bad in ("../x.jpg", "abc.jpg", name.upper(), name[:-3] + "png", "/etc/passwd", ""):
        assert store.path(bad) is None
        with pytest.raises(ValueError):
            store.write(bad, b"x")
    store.remove([name, "../../etc/passwd"])
    assert store.names() == []


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    store = MediaStore(tmp_path)
    name = imaging.file_name(b"data", "jpg")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        store.write(name, b"data")
    assert os.listdir(tmp_path) == []


def test_rows_and_cover_are_written_in_one_transaction(services, db, product_id):
    image = services.images.add_image(SYSTEM, product_id, jpeg(900, 600), "alt text")
    with db.cursor() as cur:
        cur.execute("SELECT cover_url FROM products WHERE id = %s", (product_id,))
        assert cur.fetchone()["cover_url"] == image["urls"]["thumb"]
    assert all(services.media.exists(name) for name in files_of(image))


def test_a_failing_database_write_leaves_no_files(services, db, product_id):
    data = jpeg(777, 555)
    names = {copy.name for copy in imaging.make_copies(data).values()}
    assert not any(services.media.exists(name) for name in names)
    # 301 characters: the schema would refuse it, so the INSERT is the first to see it and fails (strict mode).
    with pytest.raises(pymysql.err.DataError):
        services.images.add_image(SYSTEM, product_id, data, "x" * 301)
    assert not any(services.media.exists(name) for name in names)
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM product_images WHERE product_id = %s", (product_id,))
        assert cur.fetchone()["n"] == 0
        cur.execute("SELECT cover_url FROM products WHERE id = %s", (product_id,))
        assert cur.fetchone()["cover_url"] is None


def test_a_failed_write_keeps_files_that_another_image_uses(services, product_id):
    data = jpeg(778, 556)
    kept = services.images.add_image(SYSTEM, product_id, data)
    with pytest.raises(pymysql.err.DataError):
        services.images.add_image(SYSTEM, product_id, data, "x" * 301)
    assert all(services.media.exists(name) for name in files_of(kept))


def test_a_failing_audit_write_rolls_back_the_row_and_removes_the_files(services, db, product_id, monkeypatch):
    from backend.services import images as images_module

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(images_module.audit, "record", broken_audit)
    data = png(333, 222)
    with pytest.raises(RuntimeError):
        services.images.add_image(SYSTEM, product_id, data)
    assert not any(services.media.exists(copy.name) for copy in imaging.make_copies(data).values())
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM product_images WHERE product_id = %s", (product_id,))
        assert cur.fetchone()["n"] == 0


def test_the_same_picture_on_two_products_is_one_set_of_files(services, db, product_id):
    other = services.products.create_product(SYSTEM, {"name": f"Twin {uid()}", "price": Decimal("3.00")})["id"]
    data = jpeg(1700, 900)
    first = services.images.add_image(SYSTEM, product_id, data)
    second = services.images.add_image(SYSTEM, other, data)
    assert first["urls"] == second["urls"]
    with db.cursor() as cur:
        repo = ImageRepository(cur.connection)
        assert all(repo.exists_file(name) for name in files_of(first))
    services.products.delete_product(SYSTEM, product_id)  # erased: its row goes, the files stay for the other
    assert all(services.media.exists(name) for name in files_of(second))
    services.images.delete_image(SYSTEM, other, second["id"])
    assert not any(services.media.exists(name) for name in files_of(second))


def test_cover_follows_the_first_image(services, db, product_id):
    first = services.images.add_image(SYSTEM, product_id, jpeg(401, 300))
    second = services.images.add_image(SYSTEM, product_id, jpeg(402, 300))

    def cover() -> str | None:
        with db.cursor() as cur:
            cur.execute("SELECT cover_url FROM products WHERE id = %s", (product_id,))
            return cur.fetchone()["cover_url"]

    assert cover() == first["urls"]["thumb"]
    services.images.update_image(SYSTEM, product_id, second["id"], {"position": 0})
    assert cover() == second["urls"]["thumb"]
    services.images.delete_image(SYSTEM, product_id, second["id"])
    assert cover() == first["urls"]["thumb"]
    services.images.delete_image(SYSTEM, product_id, first["id"])
    assert cover() is None


def test_concurrent_uploads_to_one_product_take_positions_one_after_another(services, product_id):
    from concurrent.futures import ThreadPoolExecutor

    pictures = [jpeg(300 + n, 200) for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        made = list(pool.map(lambda data: services.images.add_image(SYSTEM, product_id, data), pictures))
    listed = services.images.list_images(product_id)
    assert sorted(image["position"] for image in made) == list(range(6))
    assert [image["position"] for image in listed] == list(range(6))
    assert {image["id"] for image in listed} == {image["id"] for image in made}
