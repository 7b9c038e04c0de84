"""SQL for product images: the rows naming each image's three files, their order, and products.cover_url."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository

_COLUMNS = "id, product_id, position, alt, width, height, thumb_file, medium_file, large_file"
# A product's images in display order.
LIST_FOR_PRODUCT = f"SELECT {_COLUMNS} FROM product_images WHERE product_id = %s ORDER BY position, id"
# One image of one product.
GET = f"SELECT {_COLUMNS} FROM product_images WHERE id = %s AND product_id = %s"
# The same, locked: every write to a product's images locks them all (positions are renumbered together).
LIST_FOR_PRODUCT_LOCKED = f"{LIST_FOR_PRODUCT} FOR UPDATE"
# A new image at a given position.
ADD = """
INSERT INTO product_images (product_id, position, alt, width, height, thumb_file, medium_file, large_file,
                            created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"""
# Change alt text and position of one image.
UPDATE = "UPDATE product_images SET alt = %s, position = %s WHERE id = %s"
# Set one image's position (renumbering after a move or a delete).
SET_POSITION = "UPDATE product_images SET position = %s WHERE id = %s AND position <> %s"
# Remove one image row.
REMOVE = "DELETE FROM product_images WHERE id = %s"
# Is a file named by any image row? (Each column has its own index; MySQL and MariaDB merge them.)
FILE_IN_USE = """
SELECT EXISTS(SELECT 1 FROM product_images WHERE thumb_file = %s)
    OR EXISTS(SELECT 1 FROM product_images WHERE medium_file = %s)
    OR EXISTS(SELECT 1 FROM product_images WHERE large_file = %s) AS used"""
# Every file any image row names (backups, and tidying the media directory).
LIST_FILES = """
SELECT thumb_file AS name FROM product_images UNION SELECT medium_file FROM product_images
UNION SELECT large_file FROM product_images"""
# The listing's cached first thumb (NULL when the product has no images).
SET_COVER = "UPDATE products SET cover_url = %s WHERE id = %s"
# Lock the product whose images change: two uploads to one product take positions one after the other.
LOCK_PRODUCT = "SELECT id FROM products WHERE id = %s FOR UPDATE"


class ImageRepository(Repository):
    def list_images(self, product_id: int, lock: bool = False) -> list[dict[str, Any]]:
        return self._all(LIST_FOR_PRODUCT_LOCKED if lock else LIST_FOR_PRODUCT, (product_id,))

    def get_image(self, product_id: int, image_id: int) -> dict[str, Any] | None:
        return self._one(GET, (image_id, product_id))

    def exists_product_locked(self, product_id: int) -> bool:
        return self._one(LOCK_PRODUCT, (product_id,)) is not None

    def add_image(self, product_id: int, position: int, alt: str, width: int, height: int,
                  files: dict[str, str], created_at: Any) -> int:
        return self._insert(ADD, (product_id, position, alt, width, height, files["thumb"], files["medium"],
                                  files["large"], created_at))

    def update_image(self, image_id: int, alt: str, position: int) -> int:
        return self._change(UPDATE, (alt, position, image_id))

    def update_position(self, image_id: int, position: int) -> int:
        return self._change(SET_POSITION, (position, image_id, position))

    def remove_image(self, image_id: int) -> int:
        return self._change(REMOVE, (image_id,))

    def exists_file(self, name: str) -> bool:
        return bool(self._scalar(FILE_IN_USE, (name, name, name)))

    def list_files(self) -> set[str]:
        return {row["name"] for row in self._all(LIST_FILES)}

    def update_cover(self, product_id: int, cover_url: str | None) -> int:
        return self._change(SET_COVER, (cover_url, product_id))
