"""GET /health."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import services
from backend.schemas.health import HealthSchema

bp = Blueprint("health", __name__)


@bp.get("/health")
@doc("Service and database health", tags=["meta"], response=HealthSchema, errors=(503,))
def health():
    return HealthSchema().dump(services().health.check())
