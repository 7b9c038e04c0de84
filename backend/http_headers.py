"""Response headers in one place: security headers, caching of anonymous catalog reads, and compression."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from flask import Flask, Response, g, make_response, request
from flask_compress import Compress
from werkzeug.http import http_date

from backend.config import Settings
from backend.openapi import mark_view
from backend.routes import API_PREFIX
from backend.routes.guard import SESSION_COOKIE

# Pages load their scripts, styles and data from this origin only; nothing inline runs or applies.
# Product images may be any https URL an editor entered (image_url), so img-src also allows https:.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# JSON is never a document: if a browser opens it directly, nothing in it may load or run.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
REFERRER_POLICY = "same-origin"
HSTS = "max-age=31536000; includeSubDomains"
CATALOG_MAX_AGE = 30
# What response.cache_control.public = True and .max_age = CATALOG_MAX_AGE write (the catalog views set no
# Cache-Control of their own), written at once: werkzeug re-serialises the header on each of those changes.
PUBLIC_CACHE_CONTROL = f"public, max-age={CATALOG_MAX_AGE}"

# Measured on GET /products?per_page=24 (README, "Security headers, caching and compression"): gzip 6 and
# brotli 4 shrink it ~8x for a few percent of throughput; bodies under 1 KiB are not worth the CPU.
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],  # static files are streamed by send_file
    "COMPRESS_LEVEL": 6,
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_MIMETYPES": ["application/json", "text/html", "text/css", "text/javascript",
                           "application/javascript", "image/svg+xml"],
}


def init_http_headers(app: Flask, settings: Settings) -> None:
    """Register the header hook and compression; compression runs last, on the final body."""
    app.config.update({key: app.config.get(key, value) for key, value in COMPRESSION.items()})

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_security_headers(response, settings)

    # Flask runs after_request hooks last-registered first: Compress registered after, so it runs before
    # _headers; the order does not matter as neither reads what the other writes (Vary is merged).
    Compress(app)


def presents_credentials() -> bool:
    """A Bearer header or the session cookie: the answer may be personal, so no cache may keep it."""
    return g.get("user") is not None or "Authorization" in request.headers or SESSION_COOKIE in request.cookies


def add_security_headers(response: Response, settings: Settings) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = REFERRER_POLICY
    if settings.cookie_secure:
        headers["Strict-Transport-Security"] = HSTS
    if request.path.startswith(API_PREFIX + "/"):
        headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        # Only views marked @public_when_anonymous may be kept by caches, and only for anonymous callers.
        if not response.cache_control.public or presents_credentials():
            headers["Cache-Control"] = "no-store"
            headers.pop("ETag", None)
    elif response.mimetype == "text/html":
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = "DENY"
    return response


@lru_cache(maxsize=2)
def _http_date(second: int) -> str:
    """The Date header werkzeug's make_conditional would write (http_date() of now), formatted once a second."""
    return http_date(second)


def public_when_anonymous(view: Callable[..., Any]) -> Callable[..., Any]:
    """Catalog reads: for anonymous callers a weak ETag of the body, If-None-Match -> 304, a short public max-age.

    Weak, because the gzip and brotli encodings of the same JSON are the same resource (a strong ETag
    would have to differ per encoding), so one validator answers 304 whatever the client accepts.
    """
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or presents_credentials():
            return response
        response.set_etag(hashlib.blake2b(response.get_data(), digest_size=16).hexdigest(), weak=True)
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
        response.headers["Date"] = _http_date(int(time.time()))  # else make_conditional formats it anew
        return response.make_conditional(request)
    mark_view(wrapper, conditional=True)  # If-None-Match, ETag and 304 in openapi.json
    return wrapper
