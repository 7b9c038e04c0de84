"""Dashboard endpoint: /admin/stats."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import load_query, services
from backend.routes.guard import requires
from backend.schemas.stats import StatsQuery, StatsSchema
from backend.services.stats import DAYS

bp = Blueprint("stats", __name__)


@bp.get("/admin/stats")
@requires("stats.read")
@doc(f"Dashboard: sales per day ({DAYS} days), top products, orders by status, low stock", tags=["admin"],
     query=StatsQuery, response=StatsSchema, errors=(401, 403, 422))
def dashboard():
    return StatsSchema().dump(services().stats.dashboard(load_query(StatsQuery())["low_stock"]))
