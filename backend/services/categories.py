"""The category tree: read it whole, and let staff create, rename, move and delete categories."""
from __future__ import annotations

from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import Connection, UnitOfWork
from backend.repositories.categories import PATH_MAX, CategoryRepository
from backend.repositories.products import ProductRepository
from backend.services import audit
from backend.services.base import Service, found, held
from backend.services.listing_cache import ListingCache
from backend.services.pricing import refresh_current_prices
from backend.services.slugs import unique_slug

# Why a materialised path and not a recursive CTE: the subtree of a category is what every
# category-filtered listing and every category offer needs, and with "/1/7/42/" it is one indexed
# prefix range (path LIKE '/1/7/%'), while a recursive CTE walks the tree level by level on each
# request. The price is paid on the rare write: a move rewrites the paths of the moved subtree.

_UNSET = object()
# The most one level can add to a path: an INT UNSIGNED id (up to 10 digits) and its "/".
LEVEL_MAX = len(str(2**32 - 1)) + 1


def build_tree(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest flat rows (in any order) into [{id, name, slug, parent_id, children}], siblings by name then id;
    a row whose parent is not among the rows is a root."""
    nodes = {row["id"]: {"id": row["id"], "name": row["name"], "slug": row["slug"],
                         "parent_id": row["parent_id"], "children": []} for row in rows}
    roots: list[dict[str, Any]] = []
    for row in rows:
        node = nodes[row["id"]]
        parent = nodes.get(row["parent_id"]) if row["parent_id"] else None
        (parent["children"] if parent else roots).append(node)
    for node in nodes.values():
        node["children"].sort(key=lambda n: (n["name"].lower(), n["id"]))
    roots.sort(key=lambda n: (n["name"].lower(), n["id"]))
    return roots


def path_ids(path: str | None) -> list[int]:
    """The category ids on a materialised path, root first: "/1/7/42/" -> [1, 7, 42]; none for None or "/"."""
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def moved_path(path: str, category_id: int, parent_path: str) -> str:
    """The path the category at `path` gets under parent_path ("/": the root); raises Conflict category_cycle
    when that parent is the category itself or one of its descendants (its path starts with the category's)."""
    if parent_path.startswith(path):
        raise errors.Conflict("A category cannot move under itself or one of its descendants.",
                              code="category_cycle")
    return f"{parent_path}{category_id}/"


def subtree_ids(conn: Connection, category_id: int) -> list[int]:
    """The category and all its descendants; raises ValidationFailed for an unknown category."""
    ids = CategoryRepository(conn).list_subtree_ids_of(category_id)
    if not ids:
        raise errors.ValidationFailed(fields={"category_id": ["No such category."]})
    return ids


def category_path(conn: Connection, category_id: int | None) -> list[dict[str, Any]]:
    """[{id, name, slug}] from the root down to the category (empty for none)."""
    row = CategoryRepository(conn).get_category(category_id) if category_id else None
    return path_categories(conn, row["path"] if row else None)


def path_categories(conn: Connection, path: str | None) -> list[dict[str, Any]]:
    """[{id, name, slug}] of the categories on a materialised path ("/1/7/42/"), root first."""
    ids = path_ids(path)
    if not ids:
        return []
    return named_path(ids, {r["id"]: r for r in CategoryRepository(conn).list_by_ids(ids)})


def named_path(ids: list[int], by_id: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """[{id, name, slug}] of the path's ids found in by_id, in the path's order."""
    return [{"id": i, "name": by_id[i]["name"], "slug": by_id[i]["slug"]} for i in ids if i in by_id]


class CategoryService(Service):
    def __init__(self, *args: Any, cache: ListingCache) -> None:
        super().__init__(*args)
        # Cleared on every write: listings that matched by category or price may have changed.
        self.cache = cache
        # (token, tree, each category by id): see tree().
        self._kept_tree: tuple[str, list[dict[str, Any]], dict[int, dict[str, Any]]] | None = None

    def tree(self) -> list[dict[str, Any]]:
        """The whole tree, any depth (shared between requests: callers must not change it).

        Built once per worker and kept while the tree's token (category_tree_version) is the one read
        before it was built: one primary-key read per request instead of reading and nesting every
        category. The token is read first, so a write landing in between leaves a newer token than the
        kept tree's, and the next request builds it again; never an older token over a newer tree.
        """
        with self.db.uow() as uow:
            return self._kept(uow.conn, CategoryRepository(uow.conn).get_tree_token())[0]

    def _kept(self, conn: Connection, token: str | None) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
        """The tree and its categories by id as of token (read in conn's transaction), built again when
        the kept one is older."""
        kept = self._kept_tree
        if token is not None and kept is not None and kept[0] == token:
            return kept[1], kept[2]
        rows = CategoryRepository(conn).list_all()
        tree, by_id = build_tree(rows), {row["id"]: row for row in rows}
        if token is not None:  # no token yet: categories written by other code, so nothing to trust
            self._kept_tree = (token, tree, by_id)
        return tree, by_id

    def path_of(self, conn: Connection, token: str | None, path: str | None) -> list[dict[str, Any]]:
        """path_categories from the kept tree, given the tree token read with the path (one statement fewer
        for a product page); read from the database when there is no token."""
        if token is None:
            return path_categories(conn, path)
        return named_path(path_ids(path), self._kept(conn, token)[1])

    def get_category(self, category_id: int) -> dict[str, Any]:
        """One category; raises NotFound."""
        with self.db.uow() as uow:
            row = found(CategoryRepository(uow.conn).get_category(category_id), "No such category.")
        return row

    def create_category(self, actor: Actor, name: str, parent_id: int | None = None) -> dict[str, Any]:
        """Add a category under parent_id (or at the root); raises ValidationFailed for an unknown parent."""
        with self.db.uow() as uow:
            repo = CategoryRepository(uow.conn)
            parent_path = "/"
            if parent_id is not None:
                parent = repo.get_category(parent_id)
                if parent is None:
                    raise errors.ValidationFailed(fields={"parent_id": ["No such category."]})
                parent_path = parent["path"]
            if len(parent_path) + LEVEL_MAX > PATH_MAX:
                raise errors.ValidationFailed(fields={"parent_id": ["The tree is too deep here."]})
            slug = unique_slug(name, repo.list_slugs_like, 100)
            new_id = repo.add_category(parent_id, name, slug, parent_path)
            audit.record(uow, actor, "category.create", "category", new_id, {"name": name, "parent_id": parent_id})
            row = held(repo.get_category(new_id))
            uow.commit()
        self.cache.clear()
        return row

    def update_category(self, actor: Actor, category_id: int, name: str | None = None,
                        parent_id: Any = _UNSET) -> dict[str, Any]:
        """Rename and/or move (parent_id None = to the root); raises NotFound, ValidationFailed, Conflict (a cycle)."""
        with self.db.uow() as uow:
            repo = CategoryRepository(uow.conn)
            row = found(repo.get_category(category_id, lock=True), "No such category.")
            changes: dict[str, Any] = {}
            if name is not None and name != row["name"]:
                repo.update_name(category_id, name)
                changes["name"] = name
            if parent_id is not _UNSET and parent_id != row["parent_id"]:
                self._move(uow, row, parent_id)
                changes["parent_id"] = parent_id
            if changes:
                audit.record(uow, actor, "category.update", "category", category_id, changes)
            row = held(repo.get_category(category_id))
            uow.commit()
        self.cache.clear()
        return row

    def _move(self, uow: UnitOfWork, row: dict[str, Any], parent_id: int | None) -> None:
        repo = CategoryRepository(uow.conn)
        parent_path = "/"
        if parent_id is not None:
            parent = repo.get_category(parent_id, lock=True)
            if parent is None:
                raise errors.ValidationFailed(fields={"parent_id": ["No such category."]})
            parent_path = parent["path"]
        new_path = moved_path(row["path"], row["id"], parent_path)
        if repo.max_subtree_path(row["path"]) - len(row["path"]) + len(new_path) > PATH_MAX:
            raise errors.ValidationFailed(fields={"parent_id": ["The tree would be too deep."]})
        repo.update_parent(row["id"], parent_id, row["path"], new_path)
        # Ancestor offers of the moved products changed: refresh their cached current prices.
        ids = ProductRepository(uow.conn).list_ids_in_categories(repo.list_subtree_ids(new_path))
        refresh_current_prices(uow.conn, ids, self.now())

    def delete_category(self, actor: Actor, category_id: int) -> None:
        """Erase an empty category (its offers go too); raises NotFound, Conflict (children or products)."""
        with self.db.uow() as uow:
            repo = CategoryRepository(uow.conn)
            found(repo.get_category(category_id, lock=True), "No such category.")
            if repo.exists_children(category_id):
                raise errors.Conflict("The category has sub-categories.", code="category_not_empty")
            if repo.exists_products(category_id):
                raise errors.Conflict("The category has products.", code="category_not_empty")
            offers = repo.remove_category(category_id)
            audit.record(uow, actor, "category.delete", "category", category_id, {"offers_removed": offers})
            uow.commit()
        self.cache.clear()
