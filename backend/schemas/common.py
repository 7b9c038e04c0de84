"""Fields and schemas shared by every area: money, UTC timestamps, paging, the error shape.

A field class, validator or schema may carry `json_schema`: the JSON Schema keywords that say what it accepts
or gives, which backend.openapi adds to the served document (so the rule and its description live together).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from backend.clock import iso
from backend.countries import country_code, is_country

# The largest values of the SQL integer columns a request may fill.
INT_MAX = 2_147_483_647  # INT
UINT_MAX = 4_294_967_295  # INT UNSIGNED (ids, counts)


def flat_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"payment": {"cvc": [...]}} -> {"payment.cvc": [...]}, {"user_ids": {2: [...]}} -> {"user_ids.2": [...]}:
    the docs/api.md fields map is flat, one list of sentences per field."""
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


class Described:
    """A validator function with the JSON Schema of the rule it enforces (read by backend.openapi)."""

    def __init__(self, check: Callable[[str], None], json_schema: dict[str, Any]) -> None:
        self.check, self.json_schema = check, json_schema

    def __call__(self, value: str) -> None:
        self.check(value)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _no_control_characters(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("Must not contain control characters.")


not_blank = Described(_not_blank, {"pattern": r"\S"})
no_control_characters = Described(_no_control_characters, {"pattern": f"^[^{_CONTROL.pattern[1:-1]}]*$"})


def name_field(max_length: int, **kwargs: Any) -> fields.String:
    """A required one-line name (product, category, offer): not blank, no control characters."""
    return fields.String(required=True, validate=[validate.Length(min=1, max=max_length), not_blank,
                                                  no_control_characters], **kwargs)


_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 country code ("GB"), in any case, loaded upper-cased; unknown codes are refused.

    The document says two letters; which pairs are countries is the server's rule (422 naming the field)."""

    json_schema: dict[str, Any] = {"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "GB",
                   "description": "An ISO 3166-1 alpha-2 country code such as GB"}
    default_error_messages = {"unknown": "Use a two-letter ISO 3166-1 country code such as GB."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = text.upper() if _TWO_LETTERS.fullmatch(text) else ""
        if not is_country(code):
            raise self.make_error("unknown")
        return code


class AddressCountry(CountryCode):
    """Where something ships, as an address gives it (query strings): a code in any case, an English name or a
    usual alias ("UK", "United Kingdom"), loaded as the code, so what a saved address says prices the same as
    the order placed to it; anything else is refused."""

    json_schema = {"type": "string", "minLength": 1, "maxLength": 100, "example": "GB",
                   "description": "An ISO 3166-1 alpha-2 code such as GB, or the country's English name"}
    default_error_messages = {"unknown": "We do not recognise this country. Use a two-letter code such as GB."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        code = country_code(fields.String._deserialize(self, value, attr, data, **kwargs))
        if code is None:
            raise self.make_error("unknown")
        return code


class PatchSchema(Schema):
    """A PATCH body whose fields are all optional but which must name at least one of them."""
    json_schema = {"minProperties": 1}

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError(f"Send at least one of {', '.join(self.load_fields)}.", "_schema")


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=24, validate=validate.Range(min=1, max=100))


def page_schema(item_schema: type[Schema], name: str, **more: fields.Field) -> type[Schema]:
    """The paged list envelope of docs/api.md around item_schema (with more fields, when a list has them)."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(), "per_page": fields.Integer(),
        "total": fields.Integer(), "pages": fields.Integer(), **more,
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
    """The error object of docs/api.md; some codes add fields of their own, and more may come (INCLUDE)."""

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




def discount_problems(discount: dict[str, Any]) -> dict[str, list[str]]:
    """The rules across the fields offers and coupons share: exactly one of percent_off and amount_off (both
    named), and a window that ends after it starts. {field: [problem]}; each field alone is its schema's."""
    problems: dict[str, list[str]] = {}
    if (discount.get("percent_off") is None) == (discount.get("amount_off") is None):
        problems["percent_off"] = problems["amount_off"] = ["Give exactly one of percent_off and amount_off."]
    if discount.get("starts_at") and discount.get("ends_at") and discount["ends_at"] <= discount["starts_at"]:
        problems["ends_at"] = ["Must be after starts_at."]
    return problems


class DiscountInput(Schema):
    """A request writing a discount (offers, coupons): the rules across its fields checked in one answer with its
    fields' own problems, and its starts_at/ends_at kept as naive UTC, as the database keeps times (a time given
    with another offset is converted first). PATCH (partial) is checked by the service on the merged object."""

    cross_fields: tuple[str, ...] = ("percent_off", "amount_off")

    def cross_problems(self, item: dict[str, Any]) -> dict[str, list[str]]:
        return discount_problems(item)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _across_fields(self, data: dict[str, Any], original: dict[str, Any], *, partial: Any = None,
                       **kwargs: Any) -> None:
        # "Given" is judged as sent, so a value that failed its own check does not also read as missing.
        if partial:
            return
        sent = {k: original.get(k) for k in self.cross_fields}
        problems = self.cross_problems({**sent, "starts_at": data.get("starts_at"), "ends_at": data.get("ends_at")})
        if problems:
            raise ValidationError(problems)

    @post_load
    def _naive_utc(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for key in ("starts_at", "ends_at"):
            value = data.get(key)
            if isinstance(value, datetime):
                data[key] = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        return data
