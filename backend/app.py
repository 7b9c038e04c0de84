"""The app factory."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_cors import CORS

from backend.background import BackgroundLoop
from backend.body_limit import init_body_limit
from backend.cli import register_cli
from backend.config import ROOT, Settings, load_settings
from backend.container import Services
from backend.db import Database
from backend.error_handlers import register_error_handlers
from backend.extensions import limiter, skip_limiter_hook_without_global_limits
from backend.http_headers import init_http_headers
from backend.request_log import init_request_log
from backend.routes import API_PREFIX, JsonProvider, register_blueprints
from backend.routes.guard import init_guard
from backend.routes.images import upload_body_limit
from backend.services.mail import POLL_SECONDS


class LazyCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, which the shop never uses (its sessions are its own tokens, see
    routes/guard.py), at no cost per request: Flask's own builds a signer to open even a request without the
    cookie, and works out the cookie's settings to save even an empty session nobody touched (about 0.05 ms
    of CPU per catalog read, bench/catalog_cpu.py). Whatever does use it gets exactly Flask's behaviour."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()  # what Flask's answers without the cookie
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask's writes nothing for an empty session that was neither read nor changed.
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


def create_app(overrides: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the Flask app from settings (environment > .env > defaults, then overrides)."""
    settings = settings or load_settings(overrides)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = Flask(__name__, template_folder=str(ROOT / "frontend" / "templates"),
                static_folder=str(ROOT / "frontend" / "static"), static_url_path="/static")
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes,
                      JSON_SORT_KEYS=False, RATELIMIT_ENABLED=settings.ratelimit_enabled,
                      RATELIMIT_STORAGE_URI=settings.redis_url or "memory://")
    app.json = JsonProvider(app)
    app.json.sort_keys = False
    app.session_interface = LazyCookieSessions()
    services = Services(settings, Database(settings))
    app.extensions["shopwright"] = services
    if settings.cors_origins:
        CORS(app, resources={f"{API_PREFIX}/*": {"origins": settings.cors_origins.split(",")}},
             supports_credentials=True)
    limiter.init_app(app)
    init_request_log(app)
    init_body_limit(app, upload_body_limit(settings.max_image_bytes))
    init_guard(app)
    register_error_handlers(app)
    init_http_headers(app, settings)
    register_blueprints(app)
    skip_limiter_hook_without_global_limits(app)
    _schedule_background_work(app, services)
    register_cli(app)
    return app


def _schedule_background_work(app: Flask, services: Services) -> None:
    """The outbox sender and the cleanup, started by each worker's first request (never by the CLI or a fork parent)."""
    settings = services.settings
    loops = []
    if settings.mail_sender_enabled:
        loops.append(BackgroundLoop("outbox-sender", services.mail.send_due, POLL_SECONDS))
    if settings.cleanup_interval_minutes > 0:
        # The first pass waits one interval, so short-lived processes never run it.
        loops.append(BackgroundLoop("cleanup", services.cleanup.run_scheduled,
                                    settings.cleanup_interval_minutes * 60, wait_first=True))
    app.extensions["background"] = {loop.name: loop for loop in loops}
    if loops:
        @app.before_request
        def _start_background() -> None:
            for loop in loops:
                loop.ensure_started()
