"""Catalog endpoints: /search/trending (for everyone) and hiding a trending term (staff)."""
from __future__ import annotations

from flask import Blueprint, Response

from backend.http_headers import public_when_anonymous
from backend.openapi import doc
from backend.routes import actor, load_query, services
from backend.routes.guard import requires
from backend.schemas.search import TrendingQuery, TrendingTermSchema
from backend.services.search import TRENDING_DAYS

bp = Blueprint("search", __name__)


@bp.get("/search/trending")
@public_when_anonymous
@doc(f"The most searched terms of the last {TRENDING_DAYS} days "
     "(plain terms that found products; hidden ones left out)",
     tags=["catalog"], query=TrendingQuery, response=TrendingTermSchema(many=True), errors=(422,))
def trending():
    args = load_query(TrendingQuery())
    return TrendingTermSchema(many=True).dump(services().search.trending(args["limit"]))


@bp.delete("/search/trending/<term>")
@requires("catalog.write")
@doc("Hide a term from the trending searches for good (matched in its normalised form)", tags=["catalog"],
     status=204, errors=(401, 403, 422))
def hide_trending_term(term: str):
    services().search.hide_term(actor(), term)
    return Response(status=204)
