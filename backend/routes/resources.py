"""Admin panel data: /admin/resources (what the caller may manage) and their rows."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import actor, load_query, services
from backend.routes.guard import login_required
from backend.schemas.resources import ResourceListSchema, ResourceQuery, RowPageSchema, RowSchema

bp = Blueprint("resources", __name__)
TAGS = ["admin"]


@bp.get("/admin/resources")
@login_required
@doc("The resources the caller's role may see in the admin panel, with their fields and write endpoints",
     tags=TAGS, response=ResourceListSchema, errors=(401, 403))
def list_resources():
    return ResourceListSchema().dump({"items": services().resources.describe(actor())})


@bp.get("/admin/resources/<name>")
@login_required
@doc("Search a resource's rows (text columns), paged", tags=TAGS, query=ResourceQuery, response=RowPageSchema,
     errors=(401, 403, 404, 422))
def list_rows(name: str):
    args = load_query(ResourceQuery())
    page = services().resources.list_rows(actor(), name, (args.get("q") or "").strip() or None,
                                          args["page"], args["per_page"])
    return RowPageSchema().dump(page)


@bp.get("/admin/resources/<name>/<int:row_id>")
@login_required
@doc("One row of a resource", tags=TAGS, response=RowSchema, errors=(401, 403, 404))
def get_row(name: str, row_id: int):
    return RowSchema().dump(services().resources.get_row(actor(), name, row_id))
