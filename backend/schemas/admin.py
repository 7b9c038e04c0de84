"""Admin input and output shapes: users, bulk actions, purge, test email, the audit log."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from backend.permissions import ROLES
from backend.schemas.accounts import UserSchema
from backend.schemas.common import Flag, PageQuery, PatchSchema, UtcDateTime, no_control_characters, page_schema

USER_STATUSES = ("active", "inactive", "blocked")
BULK_ACTIONS = ("activate", "deactivate", "block", "unblock", "delete")


class NaiveUtcDateTime(fields.DateTime):
    """Accepts ISO 8601 (with Z or an offset; none means UTC) and gives naive UTC, as the database stores."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed.replace(microsecond=0)


class UserListQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=100))
    role = fields.String(validate=validate.OneOf(ROLES))
    status = fields.String(validate=validate.OneOf(USER_STATUSES))


class AdminUserSchema(UserSchema):
    is_active = fields.Boolean()
    status = fields.String(metadata={"description": "active, inactive, blocked or anonymised"})
    blocked_until = UtcDateTime(allow_none=True)
    last_login_at = UtcDateTime(allow_none=True)
    anonymised_at = UtcDateTime(allow_none=True)
    order_count = fields.Integer()


AdminUserPageSchema = page_schema(AdminUserSchema, "AdminUserPage")


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{3,32}$", error="3 to 32 letters, digits, dots, dashes or underscores."))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=72))
    full_name = fields.String(load_default="", validate=[validate.Length(max=120), no_control_characters])
    phone = fields.String(load_default="", validate=validate.Length(max=32))
    role = fields.String(load_default="customer", validate=validate.OneOf(ROLES))


class UserPatchSchema(PatchSchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = Flag()
    blocked_until = NaiveUtcDateTime(allow_none=True)


class BulkSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(BULK_ACTIONS))
    user_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                           validate=validate.Length(min=1, max=1000))
    blocked_until = NaiveUtcDateTime(allow_none=True, load_default=None)


class AffectedSchema(Schema):
    affected = fields.Integer()


class PurgeSchema(Schema):
    inactive_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=36500))


class PurgeResultSchema(Schema):
    deleted = fields.Integer()
    anonymised = fields.Integer(metadata={"description": "users with orders: personal data removed, row kept"})


class MailTestSchema(Schema):
    to = fields.Email(required=True, validate=validate.Length(max=254))


class MailQueuedSchema(Schema):
    queued = fields.Boolean()
    message_id = fields.Integer()


class AuditQuery(PageQuery):
    actor_id = fields.Integer(validate=validate.Range(min=1))
    action = fields.String(validate=validate.Length(min=1, max=64))
    since = NaiveUtcDateTime()


class AuditEventSchema(Schema):
    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    actor_username = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String()
    ip = fields.String()
    request_id = fields.String()
    details = fields.Dict(allow_none=True)
    created_at = UtcDateTime()


AuditPageSchema = page_schema(AuditEventSchema, "AuditPage")
