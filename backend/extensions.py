"""Flask extensions created once and bound in the app factory."""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Storage and the on/off switch are set from Settings in create_app.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="fixed-window")


def skip_limiter_hook_without_global_limits(app: Flask) -> None:
    """Take Flask-Limiter's before_request check off app when no limit needs it (call once the routes are registered).

    The shop's limits are all decorated views (routes/accounts.py), and a decorated view checks its own limits
    when it runs (the hook leaves them to it). The hook is there for default, application and blueprint limits,
    which the shop sets none of, yet it resolves the (empty) limits of every request: about a tenth of a
    catalog read's CPU (bench/catalog_cpu.py). Should such a limit ever be set, the hook stays.
    """
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when the limiter is off (RATELIMIT_ENABLED false)
        hooks.remove(limiter._check_request_limit)
