"""A request id for every request, echoed in X-Request-ID and in one access-log line."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("shopwright.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_request_log(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _VALID_ID.match(supplied) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    # Path only, never the query string: it may carry tokens (password reset links).
    log.info("%s %s %s %.1fms rid=%s", request.method, request.path, response.status_code,
             elapsed_ms, g.get("request_id", ""))
    return response
