"""HTTP edge: blueprints, and the few helpers every route uses to parse input and reach services."""
from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, current_app, g, request, url_for
from flask.json.provider import DefaultJSONProvider
from marshmallow import EXCLUDE, Schema, ValidationError

from backend import errors
from backend.container import Services
from backend.context import Actor
from backend.schemas.common import flat_messages

API_PREFIX = "/api/v1"
# Said of a string (or key) holding a lone UTF-16 surrogate or bytes that are not UTF-8: JSON and URLs can
# carry them, but no text column can store them and no page can show them.
NOT_TEXT = "Must be valid text: no lone surrogates or bytes that are not UTF-8."
# The only code points UTF-8 cannot encode (undecodable bytes arrive as U+DC80-U+DCFF, see _query_args).
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested deeper than the parser can recurse is malformed JSON (ValueError,
    which request.get_json(silent=True) and load_json answer with 400) rather than a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def services() -> Services:
    """The service container built by create_app."""
    return current_app.extensions["shopwright"]


def created(body: dict[str, Any], endpoint: str, **values: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    """201 with the new object's Location: the URL of the view (endpoint, its path values) that reads it."""
    return body, 201, {"Location": url_for(endpoint, **values)}


def load_json(schema: Schema) -> dict[str, Any]:
    """Parse and validate the JSON body: 400 when it is not JSON, 422 with fields when invalid."""
    if not request.is_json:
        raise errors.UnsupportedMediaType()
    body = _json_body()
    if body is None:
        raise errors.BadRequest("The body is not valid JSON.", code="invalid_json")
    if not isinstance(body, dict):
        raise errors.BadRequest("The body must be a JSON object.", code="invalid_json")
    return _validate(schema, body)


def load_multipart(schema: Schema) -> dict[str, Any]:
    """Parse and validate a multipart/form-data body (file parts as werkzeug FileStorage, the others as text):
    400 when it is not multipart/form-data, 422 with fields when invalid. Unknown parts are ignored."""
    if request.mimetype != "multipart/form-data":
        raise errors.UnsupportedMediaType("Send the body as multipart/form-data.")
    known = {field.data_key or name for name, field in schema.load_fields.items()}
    data: dict[str, Any] = {k: _form_text(request.form[k]) for k in known if k in request.form}
    data.update({k: request.files[k] for k in known if k in request.files})
    return _validate(schema, data, unknown=EXCLUDE)


def _form_text(value: str) -> str:
    # werkzeug decodes form parts with errors="replace", so bytes that are not UTF-8 arrive as U+FFFD: mark
    # them as the lone surrogate JSON and URLs give, so the one text check names the field (422).
    return value.replace("\ufffd", "\udcff")


def load_query(schema: Schema) -> dict[str, Any]:
    """Validate query-string arguments (unknown ones are ignored, whatever they hold): 422 with fields when invalid."""
    known = {field.data_key or name for name, field in schema.load_fields.items()}
    return _validate(schema, {k: v for k, v in _query_args().items() if k in known}, unknown=EXCLUDE)


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        # JSON whose strings hold bytes that are not UTF-8: decoded as lone surrogates, which the text
        # check then names field by field (422) instead of refusing the whole body.
        try:
            body = current_app.json.loads(request.get_data(cache=True).decode("utf-8", "surrogateescape"))
        except ValueError:
            return None
    return body


def _query_args() -> dict[str, str]:
    # Decoded here rather than by request.args, which raises UnicodeDecodeError (a 500) on raw bytes that
    # are not UTF-8 and keeps bad %-escapes as text: both become lone surrogates, named by the text check.
    # Latin-1 maps every byte to one character and back, so the pairs come out as the bytes that were sent.
    args: dict[str, str] = {}
    for key, value in parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        args.setdefault(_utf8(key), _utf8(value))
    return args


def _utf8(latin1: str) -> str:
    return latin1.encode("latin-1").decode("utf-8", "surrogateescape")


def _validate(schema: Schema, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every field's problems at once: text that cannot be stored and the schema's own."""
    bad_text = unencodable_paths(data)
    if bad_text:
        data = encodable(data)
    try:
        loaded = schema.load(data, **kwargs)
    except ValidationError as exc:
        fields = flat_messages(exc.normalized_messages())
        raise errors.ValidationFailed(fields={**fields, **dict.fromkeys(bad_text, [NOT_TEXT])}) from exc
    if bad_text:
        raise errors.ValidationFailed(fields=dict.fromkeys(bad_text, [NOT_TEXT]))
    return loaded


def _is_text(value: str) -> bool:
    return _SURROGATE.search(value) is None


def _path_name(key: Any) -> str:
    # As encodable() renames a bad key, so the schema's complaint about it (unknown field) is replaced.
    return _SURROGATE.sub("\ufffd", str(key))


def unencodable_paths(value: Any, path: str = "") -> list[str]:
    """Where value holds text that is not valid Unicode: dotted paths as the fields map names nested
    fields ("shipping_address.full_name", "user_ids.0"); a bad key is named with U+FFFD in its place."""
    if isinstance(value, str):
        return [] if _is_text(value) else [path]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    found = []
    for key, item in items:
        name = f"{path}.{_path_name(key)}" if path else _path_name(key)
        found += [name] if isinstance(key, str) and not _is_text(key) else unencodable_paths(item, name)
    return found


def encodable(value: Any) -> Any:
    """value with every unencodable character replaced by U+FFFD, so a schema can still check the rest."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encodable(v) for v in value]
    return value


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
    # The route modules import this package, so they are found and imported only once it has loaded.
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "bp", None), Blueprint):
            app.register_blueprint(module.bp, url_prefix=API_PREFIX)
        if isinstance(getattr(module, "pages", None), Blueprint):
            app.register_blueprint(module.pages)
