"""Authentication and permission checks: the one guard every protected route uses."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, overload

from flask import Flask, g, request

from backend import errors
from backend.openapi import mark_view
from backend.permissions import STAFF_ROLES, can
from backend.routes import API_PREFIX, services
from backend.services.accounts import barred

SESSION_COOKIE = "sw_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF_AREA = f"{API_PREFIX}/admin"


def init_guard(app: Flask) -> None:
    app.before_request(_identify)
    app.before_request(_guard_staff_area)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _identify() -> None:
    """Resolve the session from the Bearer header or the cookie; remember a failed CSRF check."""
    g.user, g.session_id, g.csrf_failed = None, None, False
    if not request.path.startswith("/api/"):
        return
    token, via = _bearer_token(), "bearer"
    if token is None:
        token, via = request.cookies.get(SESSION_COOKIE), "cookie"
    if not token:
        return
    session = services().sessions.resolve(token)
    if session is None:
        return
    if via == "cookie" and request.method in UNSAFE_METHODS and not services().sessions.csrf_ok(
            session, request.headers.get("X-CSRF-Token")):
        g.csrf_failed = True
        return
    g.user, g.session_id = session, session["session_id"]


def _guard_staff_area() -> None:
    """Everything under /api/v1/admin is staff-only, so anyone else gets 401/403 before routing or a lookup runs:
    a 404 for an unknown path, resource or row would tell a customer what exists there."""
    if request.method == "OPTIONS" or not (request.path == STAFF_AREA or request.path.startswith(f"{STAFF_AREA}/")):
        return
    if current_user()["role"] not in STAFF_ROLES:
        raise errors.Forbidden()


@overload
def current_user(required: Literal[True] = True) -> dict[str, Any]: ...
@overload
def current_user(required: bool) -> dict[str, Any] | None: ...


def current_user(required: bool = True) -> dict[str, Any] | None:
    """The logged-in user; 403 csrf_failed or 401 when required and missing."""
    if g.get("csrf_failed"):
        raise errors.Forbidden("Missing or wrong X-CSRF-Token header.", code="csrf_failed")
    user = g.get("user")
    refusal = barred(user, services().sessions.now()) if user is not None else None
    if refusal is not None:
        raise refusal
    if user is None and required:
        raise errors.Unauthorized()
    return user


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)
    mark_view(wrapper, login_required=True)  # the operation's security and 401/403 in openapi.json
    return wrapper


def requires(permission: str) -> Callable[[Callable], Callable]:
    """Allow the view only to roles holding permission (see backend.permissions)."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if not can(user["role"], permission):
                raise errors.Forbidden()
            return view(*args, **kwargs)
        mark_view(wrapper, permission=permission, login_required=True)
        return wrapper
    return decorate
