"""Accounts and security: /auth/* and /account/*, and the login, register, reset and account pages."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from backend.extensions import limiter
from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.cart import CART_COOKIE, drop_cart_cookie, guest_token
from backend.routes.guard import SESSION_COOKIE, current_user, login_required
from backend.schemas import accounts as s
from backend.services.auth import OTP_TTL, REGISTRATION_TTL, RESET_TTL, LoginResult, lasts

bp = Blueprint("accounts", __name__)
pages = Blueprint("account_pages", __name__)

# Rate limits: per client IP, and per account named in the body (so one account cannot be
# hammered from many addresses). Codes and links are emailed, so those endpoints are tighter.
PER_IP_LOGIN = "60 per minute"
PER_IP_MAIL = "30 per minute"
PER_ACCOUNT_LOGIN = "10 per 10 minutes"
PER_ACCOUNT_MAIL = "5 per 15 minutes"
PER_ACCOUNT_CODE = "10 per 15 minutes"


def _limits_off() -> bool:
    # The limiter object is shared by every app in a process; this app's own setting decides.
    return not current_app.config.get("RATELIMIT_ENABLED", True)


def _account_key(field: str):
    def key() -> str:
        body = request.get_json(silent=True)
        value = body.get(field) if isinstance(body, dict) else None
        # Escaped: a lone surrogate (refused later by load_json) must not break a Redis key first.
        name = str(value).strip().lower()[:254].encode("utf-8", "backslashreplace").decode("utf-8")
        return f"account:{name}" if value else "account:-"
    return key


def _limited(per_ip: str, per_account: str, field: str):
    """Both limits of one endpoint: per IP and per account (the `field` of the JSON body)."""
    def decorate(view):
        view = limiter.limit(per_account, key_func=_account_key(field), exempt_when=_limits_off)(view)
        return limiter.limit(per_ip, exempt_when=_limits_off)(view)
    return decorate


def logged_in_response(result: LoginResult, status: int = 200) -> Response:
    """The one answer of every successful login (password, registration, code): JSON plus the cookie."""
    response = jsonify(s.AuthSchema().dump({"user": result.user, "token": result.session.token,
                                            "csrf_token": result.session.csrf_token}))
    response.status_code = status
    settings = services().settings
    response.set_cookie(SESSION_COOKIE, result.session.token, max_age=settings.session_max_days * 86400,
                        httponly=True, samesite="Lax", secure=settings.cookie_secure, path="/")
    if status == 201:
        response.headers["Location"] = "/api/v1/auth/me"
    # The login merged the guest cart (sw_cart cookie) into the user's: the cookie has served its turn.
    return drop_cart_cookie(response) if CART_COOKIE in request.cookies else response


def _accepted(message: str) -> tuple[dict, int]:
    return s.AcceptedSchema().dump({"status": "accepted", "message": message}), 202


def _no_content(clear_cookie: bool = False) -> Response:
    response = Response(status=204)
    if clear_cookie:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")
    return response


# ------------------------------------------------------------------ /auth
@bp.post("/auth/register")
@doc("Start a registration: emails a 6-digit code", tags=["auth"], body=s.RegisterSchema, response=s.AcceptedSchema,
     status=202,
     errors=(400, 422, 429))
@_limited(PER_IP_MAIL, PER_ACCOUNT_MAIL, "email")
def register():
    data = load_json(s.RegisterSchema())
    services().auth.register(actor(), data["email"], data["username"], data["password"], data["full_name"])
    return _accepted("If the address can receive mail, a code is on its way; "
                     f"it is valid for {lasts(REGISTRATION_TTL)}.")


@bp.post("/auth/register/verify")
@doc("Finish a registration with the emailed code (logs in)", tags=["auth"], body=s.VerifySchema,
     response=s.AuthSchema, status=201, errors=(400, 409, 422, 429))
@_limited(PER_IP_LOGIN, PER_ACCOUNT_CODE, "email")
def verify_registration():
    data = load_json(s.VerifySchema())
    result = services().auth.verify_registration(actor(), data["email"], data["code"], guest_token())
    return logged_in_response(result, 201)


@bp.post("/auth/login")
@doc("Log in with email or username and password", tags=["auth"], body=s.LoginSchema,
     response=s.AuthSchema, errors=(400, 401, 403, 422, 429))
@_limited(PER_IP_LOGIN, PER_ACCOUNT_LOGIN, "login")
def login():
    data = load_json(s.LoginSchema())
    return logged_in_response(services().auth.login(actor(), data["login"], data["password"], guest_token()))


@bp.post("/auth/logout")
@doc("Log out: ends this session", tags=["auth"], status=204, errors=(401, 403))
@login_required
def logout():
    services().auth.logout(actor())
    return _no_content(clear_cookie=True)


@bp.get("/auth/me")
@doc("Who is logged in", tags=["auth"], response=s.UserSchema, errors=(401, 403))
@login_required
def me():
    return s.UserSchema().dump(services().accounts.get_profile(current_user()["id"]))


@bp.post("/auth/otp")
@doc("Email a one-time login code (always 202)", tags=["auth"], body=s.OtpRequestSchema, response=s.AcceptedSchema,
     status=202,
     errors=(400, 422, 429))
@_limited(PER_IP_MAIL, PER_ACCOUNT_MAIL, "email")
def request_otp():
    data = load_json(s.OtpRequestSchema())
    services().auth.request_otp(actor(), data["email"], data["channel"])
    return _accepted(f"If an account uses this address, a login code is on its way; it is valid for {lasts(OTP_TTL)}.")


@bp.post("/auth/otp/verify")
@doc("Log in with a one-time code", tags=["auth"], body=s.VerifySchema, response=s.AuthSchema,
     errors=(400, 401, 403, 422, 429))
@_limited(PER_IP_LOGIN, PER_ACCOUNT_CODE, "email")
def verify_otp():
    data = load_json(s.VerifySchema())
    return logged_in_response(services().auth.verify_otp(actor(), data["email"], data["code"], guest_token()))


@bp.post("/auth/password/forgot")
@doc("Email a password reset link (always 202)", tags=["auth"], body=s.EmailSchema, response=s.AcceptedSchema,
     status=202,
     errors=(400, 422, 429))
@_limited(PER_IP_MAIL, PER_ACCOUNT_MAIL, "email")
def forgot_password():
    data = load_json(s.EmailSchema())
    services().auth.forgot_password(actor(), data["email"])
    return _accepted("If an account uses this address, a reset link is on its way; "
                     f"it is valid for {lasts(RESET_TTL)}.")


@bp.post("/auth/password/reset")
@doc("Set a new password with the emailed token; ends every session", tags=["auth"], body=s.ResetSchema,
     status=204, errors=(400, 422))
def reset_password():
    data = load_json(s.ResetSchema())
    services().auth.reset_password(actor(), data["token"], data["password"])
    return _no_content()


@bp.get("/auth/sessions")
@doc("Own live sessions", tags=["auth"], query=s.ListQuery, response=s.SessionPageSchema, errors=(401, 403, 422))
@login_required
def list_sessions():
    args, who = load_query(s.ListQuery()), actor()
    return s.SessionPageSchema().dump(services().sessions.list_for_user(who.logged_in_id, who.session_id,
                                                                        args["page"], args["per_page"]))


@bp.delete("/auth/sessions/<int:session_id>")
@doc("End one of your sessions", tags=["auth"], status=204, errors=(401, 403, 404))
@login_required
def revoke_session(session_id: int):
    who = actor()
    services().auth.revoke_session(who, session_id)
    return _no_content(clear_cookie=session_id == who.session_id)


# ------------------------------------------------------------------ /account
@bp.get("/account")
@doc("Own profile", tags=["account"], response=s.UserSchema, errors=(401, 403))
@login_required
def get_account():
    return s.UserSchema().dump(services().accounts.get_profile(actor().logged_in_id))


@bp.patch("/account")
@doc("Change username, full name or phone", tags=["account"], body=s.ProfilePatchSchema,
     response=s.UserSchema, errors=(400, 401, 403, 409, 422))
@login_required
def patch_account():
    data = load_json(s.ProfilePatchSchema())
    return s.UserSchema().dump(services().accounts.update_profile(actor(), data))


@bp.post("/account/password")
@doc("Change the password; other sessions end", tags=["account"], body=s.PasswordChangeSchema, status=204,
     errors=(400, 401, 403, 422))
@login_required
def change_password():
    data = load_json(s.PasswordChangeSchema())
    services().accounts.change_password(actor(), data["current_password"], data["new_password"])
    return _no_content()


@bp.get("/account/addresses")
@doc("Own addresses", tags=["account"], query=s.ListQuery, response=s.SavedAddressPageSchema, errors=(401, 403, 422))
@login_required
def list_addresses():
    args = load_query(s.ListQuery())
    return s.SavedAddressPageSchema().dump(services().accounts.list_addresses(actor().logged_in_id, args["page"],
                                                                         args["per_page"]))


@bp.post("/account/addresses")
@doc("Add an address", tags=["account"], body=s.SavedAddressInSchema, response=s.SavedAddressSchema, status=201,
     errors=(400, 401, 403, 422))
@login_required
def add_address():
    data = load_json(s.SavedAddressInSchema())
    address = services().accounts.add_address(actor().logged_in_id, data)
    return created(s.SavedAddressSchema().dump(address), "accounts.get_address", address_id=address["id"])


@bp.get("/account/addresses/<int:address_id>")
@doc("One own address", tags=["account"], response=s.SavedAddressSchema, errors=(401, 403, 404))
@login_required
def get_address(address_id: int):
    return s.SavedAddressSchema().dump(services().accounts.get_address(actor().logged_in_id, address_id))


@bp.patch("/account/addresses/<int:address_id>")
@doc("Change an own address", tags=["account"], body=s.SavedAddressPatchSchema, response=s.SavedAddressSchema,
     errors=(400, 401, 403, 404, 422))
@login_required
def patch_address(address_id: int):
    data = load_json(s.SavedAddressPatchSchema())
    return s.SavedAddressSchema().dump(services().accounts.update_address(actor().logged_in_id, address_id, data))


@bp.delete("/account/addresses/<int:address_id>")
@doc("Delete an own address", tags=["account"], status=204, errors=(401, 403, 404))
@login_required
def delete_address(address_id: int):
    services().accounts.remove_address(actor().logged_in_id, address_id)
    return _no_content()


# ------------------------------------------------------------------ pages
@pages.get("/login")
def login_page():
    return render_template("login.html")


@pages.get("/register")
def register_page():
    return render_template("register.html")


@pages.get("/forgot")
def forgot_page():
    return render_template("forgot.html")


@pages.get("/reset")
def reset_page():
    return render_template("reset.html")


@pages.get("/account")
def account_page():
    return render_template("account.html")
