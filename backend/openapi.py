"""openapi.json built from the routes themselves: each view's @doc metadata and its marshmallow schemas."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from backend.schemas.common import ErrorSchema

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERROR_TEXT = {304: "Not modified: If-None-Match matched the ETag",
               400: "Malformed request", 401: "Not authenticated", 403: "Not allowed",
               404: "Not found", 409: "Conflict", 422: "Validation failed", 429: "Rate limited"}


def doc(summary: str, *, tags: list[str], body: type[Schema] | Schema | None = None,
        query: type[Schema] | None = None, response: type[Schema] | Schema | None = None,
        status: int = 200, errors: tuple[int, ...] = ()) -> Callable[[Callable], Callable]:
    """Describe a view for openapi.json; the schemas named here are the ones the view uses."""
    def decorate(view: Callable) -> Callable:
        view.apidoc = dict(summary=summary, tags=tags, body=body, query=query,
                           response=response, status=status, errors=errors)
        return view
    return decorate


def build_spec(app: Flask, prefix: str) -> dict[str, Any]:
    spec = APISpec(title="Shopwright API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "The REST contract of Shopwright."},
                   servers=[{"url": prefix}])
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix):
            continue
        meta = getattr(app.view_functions[rule.endpoint], "apidoc", None)
        operations = {m.lower(): _operation(meta, rule) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})}
        spec.path(path=_PARAM.sub(r"{\2}", rule.rule[len(prefix):]), operations=operations)
    return spec.to_dict()


def _operation(meta: dict[str, Any] | None, rule: Any) -> dict[str, Any]:
    meta = meta or {"summary": rule.endpoint, "tags": [], "status": 200, "errors": ()}
    op: dict[str, Any] = {"summary": meta["summary"], "tags": meta["tags"], "responses": {}}
    params = [{"in": "path", "name": name, "required": True,
               "schema": {"type": "integer" if conv == "int" else "string"}}
              for conv, name in _PARAM.findall(rule.rule)]
    if meta.get("query"):
        params.append({"in": "query", "schema": meta["query"]})
    if params:
        op["parameters"] = params
    if meta.get("body"):
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
    ok: dict[str, Any] = {"description": "Success"}
    if meta.get("response"):
        ok["content"] = {"application/json": {"schema": meta["response"]}}
    op["responses"][str(meta["status"])] = ok
    for code in meta.get("errors", ()):
        op["responses"][str(code)] = {"description": _ERROR_TEXT.get(code, "Error")}
        if code >= 400:  # a 304 has no body
            op["responses"][str(code)]["content"] = {"application/json": {"schema": "Error"}}
    return op
