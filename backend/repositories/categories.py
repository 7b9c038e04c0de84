"""SQL for the category tree (materialised `path` column: "/1/7/42/")."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository, placeholders

_COLUMNS = "id, parent_id, name, slug, path"
# Every category, parents before children (a path sorts after its prefix): the tree in one query. Only
# what the tree shows: every category page asks for it, and each column is parsed in Python per row.
LIST_ALL = "SELECT id, parent_id, name, slug FROM categories ORDER BY path"
# One category.
GET = f"SELECT {_COLUMNS} FROM categories WHERE id = %s"
# One category, locked for a move or a delete.
GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM categories WHERE id = %s FOR UPDATE"
# Several categories by id (a category_path).
LIST_BY_IDS = f"SELECT {_COLUMNS} FROM categories WHERE id IN ({{ids}})"
# The ids of a category and all its descendants: one indexed prefix range on path.
LIST_SUBTREE_IDS = "SELECT id FROM categories WHERE path LIKE CONCAT(%s, '%%')"
# The same from the category's id in one round trip (empty for an unknown category: a subtree holds its
# root). The scalar subquery is read first, so the prefix is still an index range.
LIST_SUBTREE_IDS_OF = """
SELECT id FROM categories WHERE path LIKE CONCAT((SELECT root.path FROM categories root WHERE root.id = %s), '%%')"""
# Slugs equal to a base or the base with a suffix, to pick a free one.
LIST_SLUGS_LIKE = "SELECT slug FROM categories WHERE slug = %s OR slug LIKE CONCAT(%s, '-%%')"
# A new category; its path is set once its id is known.
ADD = "INSERT INTO categories (parent_id, name, slug) VALUES (%s, %s, %s)"
# A category's path: its parent's path plus its own id.
SET_PATH = "UPDATE categories SET path = %s WHERE id = %s"
# A new name.
RENAME = "UPDATE categories SET name = %s WHERE id = %s"
# A new parent.
SET_PARENT = "UPDATE categories SET parent_id = %s WHERE id = %s"
# Move a whole subtree: swap the old path prefix for the new one on the node and every descendant.
REPLACE_PREFIX = """
UPDATE categories SET path = CONCAT(%s, SUBSTRING(path, %s))
WHERE path LIKE CONCAT(%s, '%%')"""
# The longest path in a subtree (a move must keep every path within the column).
MAX_SUBTREE_PATH = "SELECT MAX(CHAR_LENGTH(path)) AS n FROM categories WHERE path LIKE CONCAT(%s, '%%')"
# Does the category have children?
HAS_CHILDREN = "SELECT EXISTS(SELECT 1 FROM categories WHERE parent_id = %s) AS n"
# Does any product (archived ones too: they keep their category) sit in the category?
HAS_PRODUCTS = "SELECT EXISTS(SELECT 1 FROM products WHERE category_id = %s) AS n"
# Offers aimed at the category (removed with it).
REMOVE_OFFERS = "DELETE FROM offers WHERE category_id = %s"
# Erase a category.
REMOVE = "DELETE FROM categories WHERE id = %s"

# Every write to the tree gives it a new token (category_tree_version in schema.sql), in the same transaction.
TOUCH_TREE = """
INSERT INTO category_tree_version (id, token) VALUES (1, UUID()) ON DUPLICATE KEY UPDATE token = UUID()"""
# The tree's token now (None before the first write through this code).
GET_TREE_TOKEN = "SELECT token FROM category_tree_version WHERE id = 1"

PATH_MAX = 700


class CategoryRepository(Repository):
    def list_all(self) -> list[dict[str, Any]]:
        return self._all(LIST_ALL)

    def get_tree_token(self) -> str | None:
        return self._scalar(GET_TREE_TOKEN)

    def touch_tree(self) -> None:
        """Mark the tree changed (every write below does it; so must any other code writing categories)."""
        self._change(TOUCH_TREE)

    def get_category(self, category_id: int, lock: bool = False) -> dict[str, Any] | None:
        return self._one(GET_FOR_UPDATE if lock else GET, (category_id,))

    def list_by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return self._all(LIST_BY_IDS.format(ids=placeholders(ids)), ids)

    def list_subtree_ids(self, path: str) -> list[int]:
        return [row["id"] for row in self._all(LIST_SUBTREE_IDS, (path,))]

    def list_subtree_ids_of(self, category_id: int) -> list[int]:
        return [row["id"] for row in self._all(LIST_SUBTREE_IDS_OF, (category_id,))]

    def list_slugs_like(self, base: str) -> set[str]:
        return {row["slug"] for row in self._all(LIST_SLUGS_LIKE, (base, base))}

    def add_category(self, parent_id: int | None, name: str, slug: str, parent_path: str) -> int:
        new_id = self._insert(ADD, (parent_id, name, slug))
        self._change(SET_PATH, (f"{parent_path}{new_id}/", new_id))
        self.touch_tree()
        return new_id

    def update_name(self, category_id: int, name: str) -> int:
        self.touch_tree()
        return self._change(RENAME, (name, category_id))

    def update_parent(self, category_id: int, parent_id: int | None, old_path: str, new_path: str) -> int:
        self._change(SET_PARENT, (parent_id, category_id))
        self.touch_tree()
        return self._change(REPLACE_PREFIX, (new_path, len(old_path) + 1, old_path))

    def max_subtree_path(self, path: str) -> int:
        return int(self._scalar(MAX_SUBTREE_PATH, (path,)) or 0)

    def exists_children(self, category_id: int) -> bool:
        return bool(self._scalar(HAS_CHILDREN, (category_id,)))

    def exists_products(self, category_id: int) -> bool:
        return bool(self._scalar(HAS_PRODUCTS, (category_id,)))

    def remove_category(self, category_id: int) -> int:
        removed_offers = self._change(REMOVE_OFFERS, (category_id,))
        self._change(REMOVE, (category_id,))
        self.touch_tree()
        return removed_offers
