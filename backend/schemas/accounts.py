"""Input and output shapes of /auth/* and /account/*."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from backend.passwords import password_problems
from backend.schemas.common import PageQuery, UtcDateTime, no_control_characters, not_blank, page_schema

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{3,32}$",
                           error="Use 3 to 32 letters, digits, '_', '.' or '-'.")
EMAIL = [validate.Email(error="Enter a valid email address."), validate.Length(max=254)]


class Email(fields.String):
    """An email address, trimmed and lower-cased so one mailbox is one account."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=EMAIL, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class Code(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Regexp(r"^\d{6}$", error="Enter the 6-digit code."), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _password(**kwargs: Any) -> fields.String:
    # The password rules (backend.passwords) need the username and email: RegisterSchema runs them, as its
    # body has both; a reset or change learns them from the account, so its service checks them.
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# ------------------------------------------------------------------ input
class RegisterSchema(Schema):
    email = Email(required=True)
    username = fields.String(required=True, validate=USERNAME)
    password = _password(required=True)
    full_name = fields.String(load_default="", validate=[validate.Length(max=120), no_control_characters])

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _password_rules(self, data: dict[str, Any], original_data: dict[str, Any], **kwargs: Any) -> None:
        # Run even when email or username is bad (compared as sent), so one answer names every field.
        if "password" in data:
            problems = password_problems(data["password"], _text(original_data.get("username")),
                                         _text(original_data.get("email")).strip())
            if problems:
                raise ValidationError(problems, "password")


class VerifySchema(Schema):
    email = Email(required=True)
    code = Code(required=True)


class LoginSchema(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        login = data["login"].strip()
        data["login"] = login.lower() if "@" in login else login
        return data


class OtpRequestSchema(Schema):
    email = Email(required=True)
    channel = fields.String(load_default="email", validate=validate.OneOf(["email", "sms"]))


class EmailSchema(Schema):
    email = Email(required=True)


class ResetSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = _password(required=True)


class ProfilePatchSchema(Schema):
    json_schema = {"minProperties": 1}
    username = fields.String(validate=USERNAME)
    full_name = fields.String(validate=[validate.Length(max=120), no_control_characters])
    phone = fields.String(validate=validate.Regexp(r"^[0-9 +().-]{0,32}$",
                                                   error="Use digits, spaces and + ( ) . - only."))

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one of username, full_name, phone.", "_schema")


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = _password(required=True)


def _address_fields(required: bool) -> dict[str, fields.Field]:
    """The address fields; the five an address cannot do without are never blank, required or not (PATCH)."""
    def text(n: int, must_have: bool) -> fields.String:
        checks = [validate.Length(min=1, max=n), not_blank] if must_have else [validate.Length(max=n)]
        return fields.String(required=must_have and required, validate=[*checks, no_control_characters])
    return {
        "full_name": text(120, True), "line1": text(200, True), "line2": text(200, False),
        "city": text(100, True), "postal_code": text(20, True), "country": text(56, True),
        "phone": fields.String(validate=validate.Regexp(r"^[0-9 +().-]{0,32}$",
                                                        error="Use digits, spaces and + ( ) . - only.")),
    }


SavedAddressInSchema = Schema.from_dict(_address_fields(True), name="SavedAddressIn")


class _NotEmpty(Schema):
    json_schema = {"minProperties": 1}

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.", "_schema")


SavedAddressPatchSchema = _NotEmpty.from_dict(_address_fields(False), name="SavedAddressPatch")


# ------------------------------------------------------------------ output
class AcceptedSchema(Schema):
    """202: the work is queued (an email); the same answer whether or not the address has an account."""
    status = fields.String(metadata={"enum": ["accepted"]})
    message = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    username = fields.String()
    full_name = fields.String()
    phone = fields.String()
    role = fields.String()
    created_at = UtcDateTime()


class AuthSchema(Schema):
    user = fields.Nested(UserSchema)
    token = fields.String()
    csrf_token = fields.String()


class SessionSchema(Schema):
    id = fields.Integer()
    created_at = UtcDateTime()
    last_seen_at = UtcDateTime()
    ip = fields.String()
    user_agent = fields.String()
    current = fields.Boolean()


class AddressSchema(Schema):
    full_name = fields.String()
    line1 = fields.String()
    line2 = fields.String()
    city = fields.String()
    postal_code = fields.String()
    country = fields.String()
    phone = fields.String()


class SavedAddressSchema(AddressSchema):
    id = fields.Integer()
    created_at = UtcDateTime()


SessionPageSchema = page_schema(SessionSchema, "SessionPage")
SavedAddressPageSchema = page_schema(SavedAddressSchema, "SavedAddressPage")
ListQuery = PageQuery
