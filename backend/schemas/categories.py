"""Category shapes: the tree of docs/api.md and the staff write body."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from backend.schemas.common import name_field


class CategoryNodeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    children = fields.List(fields.Nested(lambda: CategoryNodeSchema()))


def dump_category_tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tree as CategoryNodeSchema(many=True) dumps it, without marshmallow's per-field cost (a hot
    path: every page asks for it); tests/unit/test_catalog_serialise.py holds the two equal."""
    return [{"id": n["id"], "name": n["name"], "slug": n["slug"], "children": dump_category_tree(n["children"])}
            for n in nodes]


class KeptTreeDump:
    """dump_category_tree of the tree CategoryService.tree() keeps per worker, dumped once per kept tree.

    tree() hands every request the same object until the tree changes (and nobody may change it), so its
    dump is the same too: rebuilding it was a fifth of GET /categories' CPU with a few hundred categories.
    """

    def __init__(self) -> None:
        self._last: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None

    def __call__(self, tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
        last = self._last  # one read: another thread may replace it meanwhile
        if last is None or last[0] is not tree:
            last = (tree, dump_category_tree(tree))  # holding the tree keeps its id from being reused
            self._last = last
        return last[1]


class CategorySchema(Schema):
    """One category as staff writes answer it."""
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    parent_id = fields.Integer(allow_none=True)
    path = fields.String()


class CategoryWriteSchema(Schema):
    """POST /categories; PATCH loads it with partial=True (parent_id null moves to the root)."""
    name = name_field(100)
    parent_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
