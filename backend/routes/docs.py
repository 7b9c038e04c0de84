"""The served OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from backend.openapi import build_spec
from backend.routes import API_PREFIX

bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
def openapi_json():
    # Built once per process: routes do not change after start-up.
    spec = current_app.extensions.get("openapi")
    if spec is None:
        spec = current_app.extensions["openapi"] = build_spec(current_app, API_PREFIX)
    return jsonify(spec)
