"""openapi.json built from the routes themselves: each view's @doc metadata, its guard and its marshmallow schemas.

What operations have in common is decided here once, so a new route is documented by its @doc and its guard alone:
- security: from the guard (`login_required`, `requires(permission)`), or `doc(auth="optional")` for the routes a
  guest or a user may call (the cart); Bearer token, or the session cookie plus X-CSRF-Token on unsafe methods;
- statuses, besides the route's own `errors`: 401 and 403 when a login is required (403 alone when optional), 404
  when the path names an object, 400, 413 and 422 with a JSON body, 422 with query arguments, 503 everywhere;
- headers: Location on 201, Retry-After on 429 (and on 503 when the database is busy), and the request and
  response headers a route names in @doc;
- JSON Schema the marshmallow plugin cannot see: `json_schema` on a field class, a validator or a schema
  (money as decimal strings, "not blank", "at least one field"), see backend.schemas.common.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow import resolver as default_resolver
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from flask import Flask
from marshmallow import Schema, fields
from marshmallow.validate import Email

from backend.permissions import PERMISSIONS
from backend.schemas.common import ErrorSchema

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})

# Every status besides the success one that the API uses, with what it means (docs/api.md, "Status codes").
ERROR_TEXT = {
    304: "Not modified: If-None-Match names the current ETag (no body)",
    400: "Malformed request: the body is not JSON, not a JSON object, or not sent as application/json; "
         "or a required header is missing or malformed",
    401: "Not authenticated: no session, or it ended (idle, expired, logged out or revoked)",
    402: "Payment declined",
    403: "Authenticated but not allowed: the role may not do this, the account is inactive or blocked "
         "(`blocked_until`), or a cookie session sent an unsafe method without its X-CSRF-Token header",
    404: "Not found (also another user's object)",
    409: "Conflict with the current state (duplicate, insufficient stock, illegal state change, "
         "idempotency key reused with another body)",
    413: "Request body too large",
    422: "Validation failed: `fields` names every bad field",
    429: "Rate limited: try again after Retry-After seconds",
    503: "Database unavailable (`database_unavailable`) or busy (`database_busy`, with Retry-After)",
}
_RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "integer", "minimum": 0}}
_ERROR_HEADERS = {429: {"Retry-After": {**_RETRY_AFTER, "required": True}}, 503: {"Retry-After": _RETRY_AFTER}}
_IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
                  "description": "An ETag from an earlier anonymous answer: 304 while it is still current"}
_CONDITIONAL_HEADERS = {
    "ETag": {"description": "Weak validator of the body (anonymous callers only)", "schema": {"type": "string"}},
    "Cache-Control": {"description": "`public, max-age=30` for anonymous callers, else `no-store`",
                      "schema": {"type": "string"}},
}
_LOCATION = {"description": "Where the created object is read", "required": True,
             "schema": {"type": "string", "format": "uri-reference"}}

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "`Authorization: Bearer <token>`, the token answered by the login endpoints"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": "sw_session",
               "description": "The HttpOnly session cookie set at login (browsers)"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
             "description": "The csrf_token answered at login; required with the cookie on POST, PUT, PATCH, DELETE"},
}


def doc(summary: str, *, tags: list[str], body: type[Schema] | Schema | None = None,
        query: type[Schema] | None = None, response: type[Schema] | Schema | None = None,
        status: int = 200, errors: tuple[int, ...] = (), auth: str | None = None, body_required: bool = True,
        headers: dict[str, dict[str, Any]] | None = None,
        response_headers: dict[str, dict[str, Any]] | None = None,
        form: dict[str, Any] | None = None) -> Callable[[Callable], Callable]:
    """Describe a view for openapi.json; the schemas named here are the ones the view uses.

    errors: the statuses particular to this route (the common ones are added by build_spec); each answers
        the Error body, except a status below 400 (304), which has none.
    auth: "optional" for a route a guest or a user may call; a required login is read from the route's guard.
    headers / response_headers: OpenAPI header objects by name (request headers are parameters).
    form: the JSON Schema of a multipart/form-data body (file parts as format binary), instead of a JSON body.
    """
    def decorate(view: Callable) -> Callable:
        mark_view(view, apidoc=dict(summary=summary, tags=tags, body=body, query=query, response=response,
                                    status=status, errors=errors, auth=auth, body_required=body_required,
                                    headers=headers or {}, response_headers=response_headers or {}, form=form))
        return view
    return decorate


def mark_view(view: Callable[..., Any], **facts: Any) -> None:
    """Note facts about a view function as its attributes, for build_spec to read: apidoc (@doc), login_required
    and permission (the guard), conditional (@public_when_anonymous)."""
    vars(view).update(facts)


def build_spec(app: Flask, prefix: str) -> dict[str, Any]:
    plugin = _Plugin(schema_name_resolver=_schema_name)
    spec = APISpec(title="Shopwright API", version="1.0.0", openapi_version="3.0.3", plugins=[plugin],
                   info={"description": "The REST contract of Shopwright. Money is a decimal string with two "
                                        "places; errors share one shape (`Error`)."},
                   servers=[{"url": prefix}])
    converter = plugin.converter
    assert converter is not None  # set when APISpec initialised the plugin, just above
    converter.add_attribute_function(_declared_json_schema)
    spec.components.schema("Error", schema=ErrorSchema)
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix):
            continue
        view = app.view_functions[rule.endpoint]
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        operations = {m.lower(): _operation(view, rule, m.lower()) for m in methods}
        spec.path(path=_PARAM.sub(r"{\2}", rule.rule[len(prefix):]), operations=operations)
    return spec.to_dict()


def _operation(view: Callable, rule: Any, method: str) -> dict[str, Any]:
    meta = getattr(view, "apidoc", None) or {"summary": rule.endpoint, "tags": [], "status": 200}
    op: dict[str, Any] = {"summary": meta["summary"], "tags": meta["tags"], "operationId": rule.endpoint}
    path_params = _PARAM.findall(rule.rule)
    params: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True,
         "schema": {"type": "integer", "minimum": 1} if conv == "int" else {"type": "string", "minLength": 1}}
        for conv, name in path_params]
    params += [{"in": "header", "name": name, **header} for name, header in meta.get("headers", {}).items()]
    conditional = getattr(view, "conditional", False)
    if conditional:
        params.append(_IF_NONE_MATCH)
    if meta.get("query"):
        params.append({"in": "query", "schema": meta["query"]})
    if params:
        op["parameters"] = params
    if meta.get("body"):
        op["requestBody"] = {"required": meta.get("body_required", True),
                             "content": {"application/json": {"schema": meta["body"]}}}
    if meta.get("form"):
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": meta["form"]}}}
    auth = _auth(view, meta)
    if auth != "none":
        op["security"] = _security(auth, method)
    permission = getattr(view, "permission", None)
    if permission:
        roles = sorted(PERMISSIONS.get(permission, ()))
        op["description"] = "Roles: " + ", ".join(roles) + "."
        op["x-roles"] = roles
    op["responses"] = {str(meta["status"]): _success(meta)}
    for code in sorted(_error_statuses(meta, auth, bool(path_params))):
        op["responses"][str(code)] = _error_response(code)
    if conditional:  # @public_when_anonymous: anonymous answers carry a validator and may be cached
        op["responses"][str(meta["status"])].setdefault("headers", {}).update(_CONDITIONAL_HEADERS)
        op["responses"]["304"] = _error_response(304)
    return op


def _auth(view: Callable, meta: dict[str, Any]) -> str:
    """"user" when the guard requires a login, "optional" for guest-or-user routes, else "none"."""
    if getattr(view, "login_required", False):
        return "user"
    return meta.get("auth") or "none"


def _security(auth: str, method: str) -> list[dict[str, list]]:
    cookie: dict[str, list] = {"cookie": [], "csrf": []} if method in UNSAFE_METHODS else {"cookie": []}
    required = [{"bearer": []}, cookie]
    return [{}, *required] if auth == "optional" else required


def _error_statuses(meta: dict[str, Any], auth: str, has_path_params: bool) -> set[int]:
    statuses = {503, *meta.get("errors", ())}
    if auth == "user":
        statuses |= {401, 403}
    elif auth == "optional":
        statuses.add(403)
    if has_path_params:
        statuses.add(404)
    if meta.get("body") or meta.get("form") or meta.get("headers"):
        statuses.add(400)
    if meta.get("body") or meta.get("form"):
        statuses |= {413, 422}
    if meta.get("query"):
        statuses.add(422)
    return statuses


def _success(meta: dict[str, Any]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "Created" if meta["status"] == 201 else "Success"}
    headers = dict(meta.get("response_headers", {}))
    if meta["status"] == 201:
        headers = {"Location": _LOCATION, **headers}
    if headers:
        ok["headers"] = headers
    if meta.get("response") and meta["status"] != 204:
        ok["content"] = {"application/json": {"schema": meta["response"]}}
    return ok


def _error_response(code: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": ERROR_TEXT.get(code, "Error")}
    if code >= 400:
        response["content"] = {"application/json": {"schema": "Error"}}
    if code in _ERROR_HEADERS:
        response["headers"] = _ERROR_HEADERS[code]
    return response


# ------------------------------------------------------------------ marshmallow -> JSON Schema
class _Converter(OpenAPIConverter):
    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        """Adds a schema's own `json_schema` (rules about the object as a whole, e.g. minProperties)."""
        jsonschema = super().schema2jsonschema(schema)
        return _merge(jsonschema, getattr(schema, "json_schema", None) or {})


class _Plugin(MarshmallowPlugin):
    Converter = _Converter


def _schema_name(schema: Any) -> str:
    """Component names: "ProductWrite"; loaded with partial=True (PATCH) "ProductWritePatch"."""
    name = default_resolver(schema)
    return f"{name}Patch" if getattr(schema, "partial", False) is True else name


def _declared_json_schema(self: OpenAPIConverter, field: fields.Field, ret: dict[str, Any],
                          **kwargs: Any) -> dict[str, Any]:
    """JSON Schema a field's class and validators declare (`json_schema`), merged over apispec's own (ret)."""
    declared = dict(getattr(type(field), "json_schema", None) or {})
    if "anyOf" in declared or declared.get("type") not in (None, ret.get("type")):
        # The class gives the whole type: apispec's guess (e.g. "number" for a Decimal) goes.
        ret.pop("type", None)
        ret.pop("format", None)
    for validator in field.validators:
        extra = {"format": "email"} if isinstance(validator, Email) else getattr(validator, "json_schema", None)
        declared = _merge(declared, extra or {})
    for bound in ("minimum", "maximum"):
        if "anyOf" in declared and f"x-{bound}" in ret:
            # apispec keeps a Range of an untyped field as x-minimum; with a number branch it is a real bound.
            ret[bound] = ret.pop(f"x-{bound}")
        if isinstance(ret.get(bound), Decimal | str):  # apispec writes a Decimal bound as a string
            value = Decimal(str(ret[bound]))
            ret[bound] = int(value) if value == value.to_integral_value() else float(value)
    if "anyOf" in declared and {"minimum", "maximum"} & set(ret):
        # minimum/maximum bind only numbers; the text gives the range for the string form too.
        low, high = ret.get("minimum"), ret.get("maximum")
        span = f"from {low} to {high}" if None not in (low, high) else \
            f"at least {low}" if high is None else f"at most {high}"
        declared["description"] = f"{declared.get('description', '')} Value {span}.".strip()
    merged = _merge(ret, declared)
    ret.clear()  # field2property does ret.update(<this answer>): the keys popped above must stay out
    return merged


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """base with extra's keywords; a keyword both set differently (two patterns) is kept by both, via allOf."""
    merged = dict(base)
    for key, value in extra.items():
        if key in merged and merged[key] != value and key not in ("description", "example"):
            merged.setdefault("allOf", []).append({key: value})
        else:
            merged[key] = value
    return merged
