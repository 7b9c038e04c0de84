"""Product images: upload (decode, three re-encoded copies, files then rows), reorder, alt text, delete.

Files are written before the row that names them and removed only after the last row naming them is
gone, so a committed row never points at a missing file. When a write fails after the files were
written, the files that this call created and no row uses are removed again: nothing half-written stays.
Positions are 0..n-1 per product, without gaps: every write renumbers the product's images together,
under a lock on the product row, and keeps products.cover_url (the listing's picture) equal to the
first image's thumb URL in the same transaction.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from backend import errors
from backend.context import Actor
from backend.media_store import MediaStore, media_url
from backend.repositories.images import ImageRepository
from backend.repositories.products import ProductRepository
from backend.services import audit, imaging
from backend.services.base import Service, found

log = logging.getLogger("shopwright.images")
FILE_COLUMNS = {"thumb": "thumb_file", "medium": "medium_file", "large": "large_file"}


def present_image(row: dict[str, Any]) -> dict[str, Any]:
    """An image row as docs/api.md shows it: {id, alt, position, width, height, urls}."""
    return {"id": row["id"], "alt": row["alt"], "position": row["position"], "width": row["width"],
            "height": row["height"], "urls": {label: media_url(row[column]) for label, column in FILE_COLUMNS.items()}}


def row_files(rows: Iterable[dict[str, Any]]) -> set[str]:
    """Every file the rows name."""
    return {row[column] for row in rows for column in FILE_COLUMNS.values()}


def list_product_images(conn: Any, product_id: int) -> list[dict[str, Any]]:
    """A product's images as docs/api.md shows them, in position order (for the product detail)."""
    return [present_image(row) for row in ImageRepository(conn).list_images(product_id)]


def product_files(conn: Any, product_id: int) -> set[str]:
    """The files a product's images use (read before the product is erased, to remove them after)."""
    return row_files(ImageRepository(conn).list_images(product_id, lock=True))


class ImageService(Service):
    def __init__(self, *args: Any, media: MediaStore) -> None:
        super().__init__(*args)
        self.media = media

    def add_image(self, actor: Actor, product_id: int, data: bytes, alt: str = "") -> dict[str, Any]:
        """Store an uploaded image as the product's last one; raises NotFound, PayloadTooLarge,
        ValidationFailed (file: not a JPEG, PNG or WebP image, damaged, or over 40 megapixels)."""
        if len(data) > self.settings.max_image_bytes:
            raise errors.PayloadTooLarge(f"The image is larger than {self.settings.max_image_bytes} bytes.")
        with self.db.uow() as uow:  # a plain read: no decoding work for a product that does not exist
            found(ProductRepository(uow.conn).get_product(product_id), "No such product.")
        copies = imaging.make_copies(data)
        files = {label: copy.name for label, copy in copies.items()}
        created = [copy.name for copy in copies.values() if self.media.write(copy.name, copy.data)]
        try:
            with self.db.uow() as uow:
                repo = ImageRepository(uow.conn)
                if not repo.exists_product_locked(product_id):
                    raise errors.NotFound("No such product.")
                position = len(repo.list_images(product_id, lock=True))
                large = copies["large"]
                image_id = repo.add_image(product_id, position, alt, large.width, large.height, files, self.now())
                if position == 0:
                    repo.update_cover(product_id, media_url(files["thumb"]))
                audit.record(uow, actor, "product.image_add", "product", product_id,
                             {"image_id": image_id, "files": sorted(set(files.values()))})
                uow.commit()
        except BaseException:
            self.remove_unused_files(created)
            raise
        # A file found present above may have been removed since by the delete of the last other row
        # using it (before this row committed): written again, so this committed row has all its files.
        for copy in copies.values():
            self.media.write(copy.name, copy.data)
        return present_image({"id": image_id, "alt": alt, "position": position, "width": large.width,
                              "height": large.height, "thumb_file": files["thumb"],
                              "medium_file": files["medium"], "large_file": files["large"]})

    def list_images(self, product_id: int) -> list[dict[str, Any]]:
        """A product's images (archived products too, for staff); raises NotFound."""
        with self.db.uow() as uow:
            found(ProductRepository(uow.conn).get_product(product_id), "No such product.")
            return list_product_images(uow.conn, product_id)

    def get_image(self, product_id: int, image_id: int) -> dict[str, Any]:
        """One image of a product; raises NotFound (also for another product's image)."""
        with self.db.uow() as uow:
            row = found(ImageRepository(uow.conn).get_image(product_id, image_id), "No such image.")
        return present_image(row)

    def update_image(self, actor: Actor, product_id: int, image_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change alt and/or position (the others shift; a position past the end means last); raises NotFound."""
        with self.db.uow() as uow:
            repo = ImageRepository(uow.conn)
            images = self._locked_images(repo, product_id)
            image = _find(images, image_id)
            if "position" in changes:
                images.remove(image)
                images.insert(min(changes["position"], len(images)), image)
                self._renumber(repo, product_id, images)
            alt = changes.get("alt", image["alt"])
            repo.update_image(image_id, alt, image["position"])
            audit.record(uow, actor, "product.image_update", "product", product_id,
                         {"image_id": image_id, **changes})
            uow.commit()
        return present_image({**image, "alt": alt})

    def delete_image(self, actor: Actor, product_id: int, image_id: int) -> None:
        """Remove an image and then its files (unless another image uses the same content); raises NotFound."""
        with self.db.uow() as uow:
            repo = ImageRepository(uow.conn)
            images = self._locked_images(repo, product_id)
            image = _find(images, image_id)
            repo.remove_image(image_id)
            images.remove(image)
            self._renumber(repo, product_id, images)
            audit.record(uow, actor, "product.image_delete", "product", product_id, {"image_id": image_id})
            uow.commit()
        self.remove_unused_files(row_files([image]))  # committed: a cleanup failure must not say otherwise

    def remove_unused_files(self, names: Iterable[str]) -> None:
        """Remove those of these files that no image row names (after the rows naming them were removed).

        Never raises: it runs after a commit, or while a failure (maybe the database itself) propagates.
        """
        names = set(names)
        if not names:
            return
        try:
            with self.db.uow() as uow:
                repo = ImageRepository(uow.conn)
                unused = [name for name in names if not repo.exists_file(name)]
        except Exception:  # noqa: BLE001 - a cleanup must not replace the outcome it follows
            # Without knowing whether another row uses them, the files stay (an unused file costs disk;
            # a removed used one, an image).
            log.warning("media files kept, the database cannot tell whether they are used: %s", sorted(names))
            return
        self.media.remove(unused)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _locked_images(repo: ImageRepository, product_id: int) -> list[dict[str, Any]]:
        if not repo.exists_product_locked(product_id):
            raise errors.NotFound("No such product.")
        return repo.list_images(product_id, lock=True)

    @staticmethod
    def _renumber(repo: ImageRepository, product_id: int, images: list[dict[str, Any]]) -> None:
        """Positions 0..n-1 in list order (only rows whose position changes are written), and the cover."""
        for position, image in enumerate(images):
            if image["position"] != position:
                repo.update_position(image["id"], position)
                image["position"] = position
        repo.update_cover(product_id, media_url(images[0]["thumb_file"]) if images else None)


def _find(images: list[dict[str, Any]], image_id: int) -> dict[str, Any]:
    # Only among this product's images: another product's image id is 404 here, as an unknown one.
    for image in images:
        if image["id"] == image_id:
            return image
    raise errors.NotFound("No such image.")
