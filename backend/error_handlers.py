"""The one place errors become HTTP answers, all in the error shape of docs/api.md."""
from __future__ import annotations

import logging

import pymysql
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from backend import errors
from backend.db import is_connection_error
from backend.routes import actor, services

log = logging.getLogger("shopwright.errors")

_HTTP_CODES = {
    400: errors.BadRequest, 401: errors.Unauthorized, 403: errors.Forbidden,
    404: errors.NotFound, 405: errors.MethodNotAllowed, 409: errors.Conflict,
    413: errors.PayloadTooLarge, 415: errors.UnsupportedMediaType, 429: errors.RateLimited,
}
# Server-side statement timeouts (MariaDB 1969, MySQL 3024; 188 when MariaDB's bound interrupted an
# InnoDB FULLTEXT search, measured when search used one), a statement a DBA killed or the server stopped
# while shutting down (1317, seen as 500s when KILL QUERY hit catalog reads), and lock contention that
# outlived retries.
_BUSY_CODES = {1969, 3024, 188, 1317, 1205, 1213}


def render(error: errors.AppError) -> Response:
    response = jsonify(error.to_dict())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(errors.AppError, render)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(pymysql.err.MySQLError, _database_error)
    app.register_error_handler(Exception, _unexpected)


def _http_error(exc: HTTPException) -> Response:
    error_type = _HTTP_CODES.get(exc.code or 500)
    if error_type is None:
        return _unexpected(exc)
    headers = {}
    allowed = getattr(exc, "valid_methods", None)  # set on werkzeug's MethodNotAllowed only
    if exc.code == 405 and allowed:
        headers["Allow"] = ", ".join(sorted(allowed))
    if exc.code == 429:
        headers["Retry-After"] = str(_retry_after(exc))
    message = None if exc.code in (404, 405, 413, 429) else exc.description
    return render(error_type(message, headers=headers))


def _retry_after(exc: HTTPException) -> int:
    limit = getattr(exc, "limit", None)
    item = getattr(limit, "limit", None)
    return int(item.get_expiry()) if item is not None else 60


def _database_error(exc: pymysql.err.MySQLError) -> Response:
    if is_connection_error(exc):
        return render(errors.DatabaseUnavailable())
    code = exc.args[0] if exc.args else None
    if code in _BUSY_CODES:
        return render(errors.DatabaseUnavailable("The database is busy; please try again.",
                                                 code="database_busy", headers={"Retry-After": "1"}))
    if isinstance(exc, pymysql.err.IntegrityError):
        log.warning("integrity error reached the handler: %s rid=%s", code, g.get("request_id"))
        return render(errors.Conflict("That change conflicts with existing data."))
    return _unexpected(exc)


def _unexpected(exc: Exception) -> Response:
    request_id = g.get("request_id", "")
    log.exception("unexpected error rid=%s", request_id, exc_info=exc)
    try:
        # The type and path only: a message may hold data.
        services().admin.record_error(actor(), type(exc).__name__, request.method, request.path)
    except Exception:  # noqa: BLE001 - reporting must never hide the original error
        log.exception("auditing the error failed")
    return render(errors.AppError(f"Something went wrong on our side (request {request_id}).",
                                  extra={"request_id": request_id}))
