"""Catalog endpoints: /search/trending."""
from __future__ import annotations

from flask import Blueprint

from backend.http_headers import public_when_anonymous
from backend.openapi import doc
from backend.routes import load_query, services
from backend.schemas.search import TrendingQuery, TrendingTermSchema

bp = Blueprint("search", __name__)


@bp.get("/search/trending")
@public_when_anonymous
@doc("The most searched terms of the last 7 days", tags=["catalog"], query=TrendingQuery,
     response=TrendingTermSchema(many=True), errors=(422,))
def trending():
    args = load_query(TrendingQuery())
    return TrendingTermSchema(many=True).dump(services().search.trending(args["limit"]))

