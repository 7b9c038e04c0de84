"""Coupon shapes (api.md "Coupon codes") and the validation of staff writes."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from backend.schemas.common import Flag, Money, PageQuery, UtcDateTime, page_schema
from backend.schemas.products import MONEY_MAX, MoneyIn

# A code as staff write it: 3-40 of A-Z 0-9 - _ in any case, surrounding spaces (ASCII) ignored; kept upper case.
CODE = re.compile(r"[ \t\r\n]*([A-Za-z0-9_-]{3,40})[ \t\r\n]*", re.ASCII)
COUNT_MAX = 4_294_967_295  # INT UNSIGNED


def normal_code(text: str) -> str | None:
    """The code as stored (stripped, upper case), or None when text is not a well-formed code."""
    match = CODE.fullmatch(text)
    return match.group(1).upper() if match else None


def coupon_problems(coupon: dict[str, Any]) -> dict[str, list[str]]:
    """The rules across a coupon's fields (each field alone is the schema's): {field: [problem]}."""
    problems: dict[str, list[str]] = {}
    if (coupon.get("percent_off") is None) == (coupon.get("amount_off") is None):
        problems["percent_off"] = ["Give exactly one of percent_off and amount_off."]
        problems["amount_off"] = ["Give exactly one of percent_off and amount_off."]
    if coupon.get("starts_at") and coupon.get("ends_at") and coupon["ends_at"] <= coupon["starts_at"]:
        problems["ends_at"] = ["Must be after starts_at."]
    return problems


class CouponCode(fields.String):
    """A coupon code in a staff write: answered as stored, upper case."""

    json_schema = {"pattern": f"^{CODE.pattern}$"}
    default_error_messages = {"code": "Use 3 to 40 letters, digits, - or _."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        code = normal_code(super()._deserialize(value, attr, data, **kwargs))
        if code is None:
            raise self.make_error("code")
        return code


class CouponWriteSchema(Schema):
    """POST /coupons; PATCH loads it with partial=True (the service checks the merged coupon with coupon_problems)."""
    code = CouponCode(required=True)
    percent_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01"), max=100))
    amount_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01"), max=MONEY_MAX))
    min_subtotal = MoneyIn(allow_none=True, validate=validate.Range(min=0, max=MONEY_MAX),
                           metadata={"description": "Compared with the cart's subtotal (list prices, before offers)"})
    starts_at = fields.AwareDateTime(allow_none=True, default_timezone=UTC)
    ends_at = fields.AwareDateTime(allow_none=True, default_timezone=UTC)
    max_uses = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=COUNT_MAX))
    max_uses_per_user = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=COUNT_MAX))
    is_active = Flag(load_default=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _across_fields(self, data: dict[str, Any], original: dict[str, Any], *, partial: Any = None,
                       **kwargs: Any) -> None:
        # A whole coupon (POST) meets the rules across fields here, in one answer with its fields' problems;
        # "given" is judged as sent, so a value that failed its own check does not also read as missing.
        if partial:
            return
        sent = {k: original.get(k) for k in ("percent_off", "amount_off")}
        problems = coupon_problems({**sent, "starts_at": data.get("starts_at"), "ends_at": data.get("ends_at")})
        if problems:
            raise ValidationError(problems)

    @post_load
    def _naive_utc(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # The database keeps naive UTC; a time given with another offset is converted first.
        for key in ("starts_at", "ends_at"):
            value = data.get(key)
            if isinstance(value, datetime):
                data[key] = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        return data


class CouponSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    percent_off = Money(allow_none=True)
    amount_off = Money(allow_none=True)
    min_subtotal = Money(allow_none=True)
    starts_at = UtcDateTime(allow_none=True)
    ends_at = UtcDateTime(allow_none=True)
    max_uses = fields.Integer(allow_none=True)
    max_uses_per_user = fields.Integer(allow_none=True)
    is_active = fields.Boolean()
    times_used = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class CouponListQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=40), metadata={"description": "Part of the code"})


class CouponCodeInput(Schema):
    """POST /cart/coupon: any text; a code that names no coupon is 422 coupon_invalid."""
    code = fields.String(required=True, validate=validate.Length(min=1, max=100))


CouponPageSchema = page_schema(CouponSchema, "CouponPage")
