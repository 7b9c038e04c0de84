"""Domain errors. Each carries its HTTP status and stable machine code; one handler renders them."""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 500
    code = "internal_error"
    message = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None,
                 code: str | None = None, extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.message = message or self.message
        self.fields = fields
        self.code = code or self.code
        self.extra = extra or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return {"error": body}


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "The request could not be understood."


class Unauthorized(AppError):
    status, code, message = 401, "unauthenticated", "Please log in first."


class PaymentDeclined(AppError):
    status, code, message = 402, "payment_declined", "The card was declined."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "You are not allowed to do that."


class NotFound(AppError):
    status, code, message = 404, "not_found", "Not found."


class MethodNotAllowed(AppError):
    status, code, message = 405, "method_not_allowed", "That method is not allowed here."


class Conflict(AppError):
    status, code, message = 409, "conflict", "That conflicts with the current state."


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "The request body is too large."


class UnsupportedMediaType(AppError):
    status, code, message = 400, "unsupported_media_type", "Send the body as application/json."


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "Some fields are not valid."


class RateLimited(AppError):
    status, code, message = 429, "rate_limited", "Too many requests; try again later."


class DatabaseUnavailable(AppError):
    status, code, message = 503, "database_unavailable", "The database is not reachable right now."
