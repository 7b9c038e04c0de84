"""Catalog endpoints: /categories (the tree for everyone, changes for staff)."""
from __future__ import annotations

from flask import Blueprint

from backend.http_headers import public_when_anonymous
from backend.openapi import doc
from backend.routes import actor, created, load_json, services
from backend.routes.guard import requires
from backend.schemas.categories import CategoryNodeSchema, CategorySchema, CategoryWriteSchema, KeptTreeDump

bp = Blueprint("categories", __name__)
_TREE = KeptTreeDump()
TAGS = ["catalog"]


@bp.get("/categories")
@public_when_anonymous
@doc("The whole category tree, any depth", tags=TAGS, response=CategoryNodeSchema(many=True))
def category_tree():
    return _TREE(services().categories.tree())


@bp.get("/categories/<int:category_id>")
@doc("One category", tags=TAGS, response=CategorySchema, errors=(404,))
def get_category(category_id: int):
    return CategorySchema().dump(services().categories.get_category(category_id))


@bp.post("/categories")
@requires("catalog.write")
@doc("Create a category (parent_id omitted or null: a root)", tags=TAGS, body=CategoryWriteSchema,
     response=CategorySchema, status=201, errors=(400, 401, 403, 409, 422))
def create_category():
    body = load_json(CategoryWriteSchema())
    category = services().categories.create_category(actor(), body["name"], body.get("parent_id"))
    return created(CategorySchema().dump(category), "categories.get_category", category_id=category["id"])


@bp.patch("/categories/<int:category_id>")
@requires("catalog.write")
@doc("Rename or move a category; a move under itself or a descendant is 409", tags=TAGS,
     body=CategoryWriteSchema(partial=True), response=CategorySchema, errors=(409,))
def update_category(category_id: int):
    body = load_json(CategoryWriteSchema(partial=True))
    category = services().categories.update_category(actor(), category_id, **body)
    return CategorySchema().dump(category)


@bp.delete("/categories/<int:category_id>")
@requires("catalog.write")
@doc("Delete an empty category (no sub-categories, no products)", tags=TAGS, status=204,
     errors=(401, 403, 404, 409))
def delete_category(category_id: int):
    services().categories.delete_category(actor(), category_id)
    return "", 204
