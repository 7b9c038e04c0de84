"""Fields and schemas shared by every area: money, UTC timestamps, paging, the error shape.

A field class, validator or schema may carry `json_schema`: the JSON Schema keywords that say what it accepts
or gives, which backend.openapi adds to the served document (so the rule and its description live together).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from backend.clock import iso
from backend.countries import is_country


def flat_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"payment": {"cvc": [...]}} -> {"payment.cvc": [...]}, {"user_ids": {2: [...]}} -> {"user_ids.2": [...]}:
    the api.md fields map is flat, one list of sentences per field."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages if isinstance(messages, list) else [str(messages)]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        flat.update(flat_messages(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


class Money(fields.Decimal):
    """A decimal string with two places ("1299.00"), never a float."""

    json_schema = {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "example": "1299.00"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=2, as_string=True, allow_nan=False, **kwargs)


class Flag(fields.Boolean):
    """A JSON true or false in a request body; 0, 1 and strings are refused, as the document's boolean says."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC with a Z suffix; naive datetimes from the database are UTC."""

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return iso(value)


# C0 and C1 control characters: invisible in a page, a name that holds them is a typo or an attack.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def no_control_characters(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("Must not contain control characters.")


not_blank.json_schema = {"pattern": r"\S"}
no_control_characters.json_schema = {"pattern": f"^[^{_CONTROL.pattern[1:-1]}]*$"}


def name_field(max_length: int, **kwargs: Any) -> fields.String:
    """A required one-line name (product, category, offer): not blank, no control characters."""
    return fields.String(required=True, validate=[validate.Length(min=1, max=max_length), not_blank,
                                                  no_control_characters], **kwargs)


_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 country code ("GB"), in any case, loaded upper-cased; unknown codes are refused.

    The document says two letters; which pairs are countries is the server's rule (422 naming the field)."""

    json_schema = {"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "GB",
                   "description": "An ISO 3166-1 alpha-2 country code such as GB"}
    default_error_messages = {"unknown": "Use a two-letter ISO 3166-1 country code such as GB."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = text.upper() if _TWO_LETTERS.fullmatch(text) else ""
        if not is_country(code):
            raise self.make_error("unknown")
        return code


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=24, validate=validate.Range(min=1, max=100))


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The paged list envelope of api.md around item_schema."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(), "per_page": fields.Integer(),
        "total": fields.Integer(), "pages": fields.Integer(),
    }, name=name)


def paged(items: list[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": (total + per_page - 1) // per_page}


class StockShortfallSchema(Schema):
    product_id = fields.Integer()
    variant_id = fields.Integer(allow_none=True)
    requested = fields.Integer()
    available = fields.Integer()


class ErrorBody(Schema):
    """The error object of api.md; some codes add fields of their own, and more may come (INCLUDE)."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()),
                          metadata={"description": "What is wrong with each bad field, by field name"})
    products = fields.List(fields.Nested(StockShortfallSchema), metadata={"description": "insufficient_stock"})
    blocked_until = UtcDateTime(metadata={"description": "account_blocked"})
    request_id = fields.String(metadata={"description": "internal_error: quote it when reporting the problem"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


