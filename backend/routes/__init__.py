"""HTTP edge: blueprints, and the few helpers every route uses to parse input and reach services."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from marshmallow import EXCLUDE, Schema, ValidationError

from backend import errors
from backend.context import Actor

API_PREFIX = "/api/v1"


def services() -> Any:
    """The service container built by create_app."""
    return current_app.extensions["shopwright"]


def load_json(schema: Schema) -> dict[str, Any]:
    """Parse and validate the JSON body: 400 when it is not JSON, 422 with fields when invalid."""
    if not request.is_json:
        raise errors.UnsupportedMediaType()
    body = request.get_json(silent=True)
    if body is None:
        raise errors.BadRequest("The body is not valid JSON.", code="invalid_json")
    if not isinstance(body, dict):
        raise errors.BadRequest("The body must be a JSON object.", code="invalid_json")
    return _validate(schema, body)


def load_query(schema: Schema) -> dict[str, Any]:
    """Validate query-string arguments (unknown ones are ignored): 422 with fields when invalid."""
    return _validate(schema, request.args.to_dict(), unknown=EXCLUDE)


def _validate(schema: Schema, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    try:
        return schema.load(data, **kwargs)
    except ValidationError as exc:
        fields = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.normalized_messages().items()}
        raise errors.ValidationFailed(fields=fields) from exc


def actor() -> Actor:
    """Who is asking, as services want it (never the Flask request itself)."""
    user = g.get("user")
    return Actor(
        user_id=user["id"] if user else None,
        role=user["role"] if user else None,
        ip=request.remote_addr or "",
        request_id=g.get("request_id", ""),
        user_agent=(request.user_agent.string or "")[:255],
        session_id=g.get("session_id"),
    )


def register_blueprints(app: Flask) -> None:
    """Register every route module: its `bp` under /api/v1, its `pages` blueprint (HTML shells) at /."""
    import importlib
    import pkgutil

    import backend.routes as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if isinstance(getattr(module, "bp", None), Blueprint):
            app.register_blueprint(module.bp, url_prefix=API_PREFIX)
        if isinstance(getattr(module, "pages", None), Blueprint):
            app.register_blueprint(module.pages)
