"""Proving who someone is: registration with an emailed code, password and one-time-code login,
password reset, logout. Every outcome that matters is audited; no secret is ever logged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import UnitOfWork
from backend.passwords import ROUNDS, check_password, hash_password, password_problems
from backend.repositories.accounts import AccountRepository
from backend.repositories.auth import AuthRepository
from backend.repositories.mail import MailRepository
from backend.services import audit
from backend.services.accounts import barred, check_new_password, public_user
from backend.services.base import Service, held
from backend.services.cart import CartService
from backend.services.mail import SMS_PREFIX
from backend.services.sessions import NewSession, SessionService
from backend.tokens import hash_token, new_code, new_token, same_hash

REGISTRATION_TTL = timedelta(minutes=15)
OTP_TTL = timedelta(minutes=10)
RESET_TTL = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
# Password login locks for LOCK_FOR after this many failures in a row (codes by email still work).
LOCK_AFTER_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
INVALID_CREDENTIALS = "Wrong login or password, or too many failed attempts; try again later."


def lasts(ttl: timedelta) -> str:
    """'15 minutes': a code's or link's lifetime as the emails and the API's answers state it."""
    return f"{ttl // timedelta(minutes=1)} minutes"


@cache
def _dummy_hash() -> str:
    """A hash to check unknown logins against, so they take as long as wrong passwords."""
    return hash_password("no-such-user-placeholder", ROUNDS)


def _invalid_credentials() -> errors.Unauthorized:
    return errors.Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")


@dataclass(frozen=True)
class LoginResult:
    user: dict[str, Any]
    session: NewSession


class AuthService(Service):
    def __init__(self, *args: Any, sessions: SessionService, cart: CartService) -> None:
        super().__init__(*args)
        self.sessions = sessions
        self._cart = cart

    # ------------------------------------------------------------ account mail asked for anonymously
    # register, request_otp and forgot_password answer after one INSERT that is the same for every
    # address, so their answer time cannot tell whether an account exists. The work that differs (look
    # the address up, store a code or token, write the email) happens in prepare_requested_mail, which
    # the outbox sender runs before each delivery pass, so the email leaves as soon as it did before.
    def _queue_mail_request(self, actor: Actor, kind: str, email: str, **details: Any) -> None:
        with self.db.uow() as uow:
            AuthRepository(uow.conn).add_mail_request(kind, email, self.now(), ip=actor.ip,
                                                      request_id=actor.request_id, **details)
            uow.commit()

    def prepare_requested_mail(self, limit: int = 200) -> int:
        """Turn queued account mail requests into codes, tokens and outbox messages; returns how many."""
        handled = 0
        while handled < limit:
            with self.db.uow() as uow:
                repo = AuthRepository(uow.conn)
                request = repo.get_next_mail_request()
                if request is None:
                    break
                # One transaction per request: its code, its email and its removal from the queue
                # commit together, so a request is mailed once even with several senders. Codes and
                # links expire counting from the request; one already expired is dropped unsent.
                mail, ttl = self._prepare[request["kind"]]
                if request["created_at"] + ttl > self.now():
                    mail(self, uow, request, request["created_at"] + ttl)
                repo.remove_mail_request(request["id"])
                uow.commit()
            handled += 1
        return handled

    # ------------------------------------------------------------ registration
    def register(self, actor: Actor, email: str, username: str, password: str, full_name: str) -> None:
        """Queue a 6-digit code (a taken email gets a notice instead: no enumeration). Raises ValidationFailed."""
        check_new_password(password, username, email)
        self._queue_mail_request(actor, "registration", email, username=username, full_name=full_name,
                                 password_hash=hash_password(password))

    def _mail_registration(self, uow: UnitOfWork, request: dict[str, Any], expires_at: datetime) -> None:
        email, code = request["email"], new_code()
        mail = MailRepository(uow.conn)
        if AccountRepository(uow.conn).get_user_by_email(email) is not None:
            mail.add_message(email, "You already have a Shopwright account",
                             "Someone (maybe you) tried to register with this email address, which already "
                             "has an account.\n\nLog in, or reset your password at "
                             f"{self.settings.public_url}/forgot if you forgot it.\n")
            return
        AuthRepository(uow.conn).add_pending(email, request["username"], request["password_hash"],
                                             request["full_name"], hash_token(code), expires_at)
        mail.add_message(email, f"Your Shopwright code: {code}",
                         f"Your registration code is {code}\n\nIt is valid for {lasts(REGISTRATION_TTL)}. "
                         "If you did not register, ignore this email.\n")

    def verify_registration(self, actor: Actor, email: str, code: str, guest_token: str | None = None) -> LoginResult:
        """Create the account and log in (merging the guest cart of guest_token); ValidationFailed for a wrong or
        expired code, Conflict when taken."""
        now = self.now()
        with self.db.uow() as uow:
            repo = AuthRepository(uow.conn)
            pending = repo.get_pending(email)
            if pending is None or pending["expires_at"] <= now:
                if pending:
                    repo.remove_pending(pending["id"])
                    uow.commit()
                raise errors.ValidationFailed(fields={"code": [
                    "No registration is waiting for this email, or it has expired; please register again."]})
            if not same_hash(code, pending["code_hash"]):
                void = pending["attempts"] + 1 >= MAX_CODE_ATTEMPTS
                if void:
                    repo.remove_pending(pending["id"])
                else:
                    repo.update_pending_attempt(pending["id"])
                uow.commit()
                raise errors.ValidationFailed(fields={"code": [
                    "Too many wrong codes; this registration is void, please register again." if void
                    else "That code is not right."]})
            accounts = AccountRepository(uow.conn)
            if accounts.exists_email_or_username(email, pending["username"]):
                repo.remove_pending(pending["id"])
                uow.commit()
                raise errors.Conflict("That username or email is already taken; register again with another.",
                                      fields={"username": ["That username or email is already taken."]})
            user_id = accounts.add_user(email, pending["username"], pending["password_hash"],
                                        pending["full_name"], "customer")
            repo.remove_pending(pending["id"])
            audit.record(uow, actor, "auth.registered", "user", user_id, actor_id=user_id)
            result = self._log_in(uow, held(accounts.get_user(user_id)), actor, "registration", guest_token)
            uow.commit()
        return result

    # ------------------------------------------------------------ login
    def login(self, actor: Actor, login: str, password: str, guest_token: str | None = None) -> LoginResult:
        """Password login by email or username, merging the guest cart of guest_token; raises
        Unauthorized(invalid_credentials) or Forbidden."""
        with self.db.uow() as uow:
            found = AccountRepository(uow.conn).get_user_for_login(login)
        # bcrypt runs outside any transaction, and for unknown users too (against a dummy hash),
        # so both cases take the same time and hold no connection or lock while hashing.
        password_ok = check_password(password, found["password_hash"] if found else _dummy_hash())
        now = self.now()
        with self.db.uow() as uow:
            accounts = AccountRepository(uow.conn)
            # The row again, locked until this attempt has written its outcome: the lockout is decided on the
            # counters as they are now, so a guess racing the failure that locks the account waits and is refused.
            user = accounts.get_user_with_password(found["id"]) if found else None
            # A password changed while hashing: the one that matched is not the password any more.
            password_ok = bool(password_ok and found and user and user["password_hash"] == found["password_hash"])
            locked = bool(user and user["login_locked_until"] and user["login_locked_until"] > now)
            if user is None or not password_ok or locked:
                if user is not None and not password_ok:
                    accounts.update_failed_login(user["id"], LOCK_AFTER_FAILURES, now + LOCK_FOR)
                reason = "unknown_user" if user is None else "locked" if locked else "wrong_password"
                audit.record(uow, actor, "auth.login_failed", "user", user["id"] if user else "",
                             {"reason": reason, "method": "password"}, actor_id=user["id"] if user else None)
                uow.commit()
                raise _invalid_credentials()
            self._refuse_if_barred(uow, actor, user, "password")
            result = self._log_in(uow, user, actor, "password", guest_token)
            uow.commit()
        return result

    def _refuse_if_barred(self, uow: UnitOfWork, actor: Actor, user: dict[str, Any], method: str) -> None:
        """Raise Forbidden for an inactive account or one blocked until a later time (audited, committed)."""
        refusal = barred(user, self.now())
        if refusal is None:
            return
        reason = "inactive" if not user["is_active"] else "blocked"
        audit.record(uow, actor, "auth.login_failed", "user", user["id"], {"reason": reason, "method": method},
                     actor_id=user["id"])
        uow.commit()
        raise refusal

    def _log_in(self, uow: UnitOfWork, user: dict[str, Any], actor: Actor, method: str,
                guest_token: str | None) -> LoginResult:
        """Every kind of login: a session, the login recorded, and the guest's cart (the sw_cart cookie's
        token) folded into the user's, all in the caller's unit of work, so they commit together or not at all."""
        session = self.sessions.start(uow, user["id"], actor.ip, actor.user_agent)
        AccountRepository(uow.conn).update_logged_in(user["id"], self.now())
        audit.record(uow, actor, "auth.login", "session", session.id, {"method": method}, actor_id=user["id"])
        if guest_token:
            self._cart.merge_in(uow, guest_token, user["id"])
        return LoginResult(public_user(user), session)

    # ------------------------------------------------------------ one-time codes
    def request_otp(self, actor: Actor, email: str, channel: str = "email") -> None:
        """Queue a 10-minute login code for an active account (by SMS when asked and a phone is known)."""
        self._queue_mail_request(actor, "login_code", email, channel=channel)

    def _mail_login_code(self, uow: UnitOfWork, request: dict[str, Any], expires_at: datetime) -> None:
        email, code = request["email"], new_code()
        user = AccountRepository(uow.conn).get_user_by_email(email)
        if user is None or not user["is_active"]:
            return
        AuthRepository(uow.conn).add_code(user["id"], "login", hash_token(code), expires_at, self.now())
        to = SMS_PREFIX + user["phone"] if request["channel"] == "sms" and user["phone"] else email
        MailRepository(uow.conn).add_message(to, f"Your Shopwright login code: {code}",
                                             f"Your login code is {code}\n\nIt is valid for {lasts(OTP_TTL)} "
                                             "and works once. If you did not ask for it, ignore this.\n")

    def verify_otp(self, actor: Actor, email: str, code: str, guest_token: str | None = None) -> LoginResult:
        """Log in with an emailed code, merging the guest cart of guest_token; raises
        Unauthorized(invalid_credentials) or Forbidden."""
        now = self.now()
        with self.db.uow() as uow:
            accounts, repo = AccountRepository(uow.conn), AuthRepository(uow.conn)
            user = accounts.get_user_by_email(email)
            live = repo.get_live_code(user["id"], "login", now, MAX_CODE_ATTEMPTS) if user else None
            if user is None or live is None or not same_hash(code, live["code_hash"]):
                if live is not None:
                    repo.update_code_attempt(live["id"])
                audit.record(uow, actor, "auth.login_failed", "user", user["id"] if user else "",
                             {"reason": "wrong_code", "method": "code"}, actor_id=user["id"] if user else None)
                uow.commit()
                raise _invalid_credentials()
            self._refuse_if_barred(uow, actor, user, "code")
            repo.update_code_used(live["id"], now)
            result = self._log_in(uow, user, actor, "code", guest_token)
            uow.commit()
        return result

    # ------------------------------------------------------------ password reset
    def forgot_password(self, actor: Actor, email: str) -> None:
        """Queue a reset link for an active account; nothing visible happens otherwise (no enumeration)."""
        self._queue_mail_request(actor, "password_reset", email)

    def _mail_password_reset(self, uow: UnitOfWork, request: dict[str, Any], expires_at: datetime) -> None:
        email, token = request["email"], new_token()
        user = AccountRepository(uow.conn).get_user_by_email(email)
        if user is None or not user["is_active"]:
            return
        AuthRepository(uow.conn).add_reset(user["id"], hash_token(token), expires_at)
        MailRepository(uow.conn).add_message(
            email, "Reset your Shopwright password",
            f"To choose a new password, open this link within {lasts(RESET_TTL)}:\n\n"
            f"{self.settings.public_url.rstrip('/')}/reset?token={token}\n\n"
            "It works once. If you did not ask for it, ignore this email; your password stays as it is.\n")
        asker = Actor(ip=request["ip"], request_id=request["request_id"])
        audit.record(uow, asker, "auth.password_reset_requested", "user", user["id"], actor_id=user["id"])

    def reset_password(self, actor: Actor, token: str, password: str) -> None:
        """Set a new password with a live reset token and end every session; ValidationFailed otherwise."""
        with self.db.uow() as uow:
            repo, accounts = AuthRepository(uow.conn), AccountRepository(uow.conn)
            live = repo.get_live_reset(hash_token(token), self.now())
            user = accounts.get_user_with_password(live["user_id"]) if live else None
            # Both at once: a dead link and a weak password are one answer, not two round trips.
            problems = {"password": password_problems(password, user["username"] if user else "",
                                                      user["email"] if user else "")}
            if user is None:
                problems["token"] = ["This reset link is invalid, used or expired; ask for a new one."]
            if user is None or any(problems.values()):
                raise errors.ValidationFailed(fields={k: v for k, v in problems.items() if v})
            accounts.update_password(user["id"], hash_password(password))
            repo.update_resets_used(user["id"], self.now())
            ended = self.sessions.end_all(uow, user["id"])
            audit.record(uow, actor, "auth.password_reset", "user", user["id"], {"sessions_ended": ended},
                         actor_id=user["id"])
            uow.commit()

    # ------------------------------------------------------------ sessions
    def logout(self, actor: Actor) -> None:
        """End the asking session (audited)."""
        with self.db.uow() as uow:
            if actor.session_id is not None:
                self.sessions.end(uow, actor.logged_in_id, actor.session_id)
            audit.record(uow, actor, "auth.logout", "session", actor.session_id)
            uow.commit()

    def revoke_session(self, actor: Actor, session_id: int) -> None:
        """End one of the user's own sessions; raises NotFound for another user's or an unknown one."""
        with self.db.uow() as uow:
            if not self.sessions.end(uow, actor.logged_in_id, session_id):
                raise errors.NotFound("No such session.")
            audit.record(uow, actor, "auth.session_revoked", "session", session_id)
            uow.commit()

    # Each queued kind and the method that mails it (kinds as account_mail_requests.kind allows).
    _prepare = {"registration": (_mail_registration, REGISTRATION_TTL), "login_code": (_mail_login_code, OTP_TTL),
                "password_reset": (_mail_password_reset, RESET_TTL)}
