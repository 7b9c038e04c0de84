"""A request body over MAX_CONTENT_LENGTH is 413, whether its length is declared or it arrives chunked.

A few endpoints (the image upload) take larger bodies: init_body_limit's endpoint_limits names them,
and every other route keeps MAX_CONTENT_LENGTH.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from backend import errors

_READ = 64 * 1024


def init_body_limit(app: Flask, endpoint_limits: dict[str, int] | None = None) -> None:
    """Wrap the WSGI app, and refuse an oversized body before any view runs (reading one raises 413 too).

    endpoint_limits: endpoint name -> its own body limit, for the few routes that take larger bodies.
    """
    default = app.config["MAX_CONTENT_LENGTH"]
    limits = dict(endpoint_limits or {})

    def limit_for(environ: dict[str, Any]) -> int | None:
        # Only chunked requests come here (routing once more is cheap next to reading a body).
        if not limits:
            return default
        try:
            endpoint, _ = app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return default
        return limits.get(endpoint, default)

    def refuse_oversized() -> None:
        # Every route, even one that never reads its body: a length over the limit is refused as a whole.
        if request.endpoint in limits:
            # Flask 3.1 lets one request raise its own limit: werkzeug's form parser reads up to it too.
            request.max_content_length = limits[request.endpoint]
        limit = request.max_content_length
        if limit is not None and request.content_length is not None and request.content_length > limit:
            raise errors.PayloadTooLarge()

    # Flask documents wrapping wsgi_app in middleware by assignment; its type hints declare it a plain method.
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, default, limit_for)  # type: ignore[method-assign]
    app.before_request(refuse_oversized)


class ChunkedBodyLimit:
    """Reads a chunked body (no Content-Length) up to one byte past the limit and passes it on with its
    length, so it meets the same 413 as a declared length.

    Why: werkzeug bounds a chunked stream by silently cutting it at the limit (LimitedStream.readall stops
    there without an error), so an oversized JSON body arrived truncated and was answered 400 invalid_json.
    Reading stops one byte past the limit, so an endless stream costs at most that much memory.
    """

    def __init__(self, wsgi_app: Any, limit: int | None,
                 limit_for: Callable[[dict[str, Any]], int | None] | None = None) -> None:
        self.wsgi_app, self.limit, self.limit_for = wsgi_app, limit, limit_for

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.limit is not None and not environ.get("CONTENT_LENGTH") and \
                "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            limit = self.limit_for(environ) if self.limit_for else self.limit
            body = _read_at_most(environ["wsgi.input"], (limit if limit is not None else self.limit) + 1)
            # The app now sees a plain body of known length (werkzeug ignores a length sent with chunked).
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(min(left, _READ))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
