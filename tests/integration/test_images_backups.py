"""Backups carry the product image files: a restore brings rows and files back together, an old backup
without media still restores, and damaged media are refused before anything is touched. Runs in its own
database and media directory: a restore rewrites every table and prunes the media to the restored rows."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from backend import errors
from backend.container import Services
from backend.context import SYSTEM
from backend.db import Database
from backend.migrate import apply_schema, create_database, drop_database
from backend.services.backup_media import MANIFEST, media_folder
from tests.conftest import uid
from tests.images_support import jpeg, png


@pytest.fixture(scope="module")
def own(settings, tmp_path_factory):
    mine = replace(settings, db_name=f"shopwright_imgbk_{uid()}", backup_dir=str(tmp_path_factory.mktemp("backups")),
                   media_dir=str(tmp_path_factory.mktemp("media")))
    create_database(mine)
    apply_schema(mine)
    services = Services(mine, Database(mine))
    yield services
    services.db.pool.close()
    drop_database(mine, mine.db_name)


def _product(services) -> int:
    return services.products.create_product(SYSTEM, {"name": f"Backed {uid()}", "price": Decimal("4.00")})["id"]


def _files(image: dict) -> set[str]:
    return {url.rsplit("/", 1)[1] for url in image["urls"].values()}


def _images(services, product_id: int) -> list[dict]:
    return services.images.list_images(product_id)


@pytest.mark.parametrize("method", ["python", "mysqldump"])
def test_restore_brings_back_rows_and_files_and_drops_files_no_row_uses(own, method):
    product_id = _product(own)
    edge = len(method)  # pictures of their own: content shared with another test's rows would be kept
    kept = own.images.add_image(SYSTEM, product_id, jpeg(1800, 1200 + edge), "kept")
    gone = own.images.add_image(SYSTEM, product_id, png(200, 150 + edge, alpha=True), "deleted later")
    content = {name: own.media.path(name).read_bytes() for name in _files(kept) | _files(gone)}
    backup = own.backups.create_backup(SYSTEM, method=method)
    assert backup["method"] == method and backup["media_files"] >= len(content)
    folder = media_folder(Path(own.settings.backup_dir) / backup["filename"])
    assert set(content) <= set(json.loads((folder / MANIFEST).read_text())["files"])

    own.images.delete_image(SYSTEM, product_id, gone["id"])
    assert not any(own.media.exists(name) for name in _files(gone))
    later = own.images.add_image(SYSTEM, product_id, jpeg(640, 480 + edge), "after the backup")
    own.media.remove(sorted(_files(kept))[:1])  # a file lost from disk

    result = own.backups.restore_backup(SYSTEM, backup["id"])
    assert result["media_files"] == backup["media_files"] and result["media_written"] >= 2
    assert [(i["id"], i["alt"]) for i in _images(own, product_id)] == [(kept["id"], "kept"),
                                                                       (gone["id"], "deleted later")]
    for name, data in content.items():
        assert own.media.path(name).read_bytes() == data
    assert not any(own.media.exists(name) for name in _files(later) - set(content))
    assert result["media_removed"] >= 1


def test_a_backup_without_media_still_restores_and_leaves_the_media_alone(own):
    product_id = _product(own)
    image = own.images.add_image(SYSTEM, product_id, jpeg(500, 500), "old style")
    backup = own.backups.create_backup(SYSTEM, method="python")
    path = Path(own.settings.backup_dir) / backup["filename"]
    shutil.rmtree(media_folder(path))  # as a backup made before backups carried media
    assert own.backups.get_backup(backup["id"])["media_files"] is None
    own.images.delete_image(SYSTEM, product_id, image["id"])
    stray = own.images.add_image(SYSTEM, product_id, jpeg(510, 500))
    result = own.backups.restore_backup(SYSTEM, backup["id"])
    assert result["media_files"] is None and result["media_written"] == 0 and result["media_removed"] == 0
    assert [i["id"] for i in _images(own, product_id)] == [image["id"]]
    assert all(own.media.exists(name) for name in _files(stray))  # nothing pruned without media in the backup


@pytest.mark.parametrize("damage", ["manifest", "file"])
def test_damaged_media_are_refused_before_anything_changes(own, damage):
    product_id = _product(own)
    image = own.images.add_image(SYSTEM, product_id, jpeg(520, 500))
    backup = own.backups.create_backup(SYSTEM, method="python")
    folder = media_folder(Path(own.settings.backup_dir) / backup["filename"])
    if damage == "manifest":
        (folder / MANIFEST).unlink()
    else:
        target = folder / sorted(_files(image))[0]
        data = target.read_bytes()
        target.unlink()  # a hard link: replace it rather than write through to the live file
        target.write_bytes(data[:-10] + b"0123456789")
    own.images.update_image(SYSTEM, product_id, image["id"], {"alt": "changed after the backup"})
    with pytest.raises(errors.Conflict) as caught:
        own.backups.restore_backup(SYSTEM, backup["id"])
    assert caught.value.code == "invalid_backup"
    assert _images(own, product_id)[0]["alt"] == "changed after the backup"
    assert all(own.media.exists(name) for name in _files(image))
