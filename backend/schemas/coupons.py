"""Coupon shapes (docs/api.md "Coupon codes") and the validation of staff writes."""
from __future__ import annotations

import re
from datetime import UTC
from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from backend.schemas.common import UINT_MAX, DiscountInput, Flag, Money, PageQuery, UtcDateTime, page_schema
from backend.schemas.products import MoneyIn
from backend.services.pricing import MONEY_MAX

# A code as staff write it: 3-40 of A-Z 0-9 - _ in any case, surrounding spaces (ASCII) ignored; kept upper case.
CODE = re.compile(r"[ \t\r\n]*([A-Za-z0-9_-]{3,40})[ \t\r\n]*", re.ASCII)


def normal_code(text: str) -> str | None:
    """The code as stored (stripped, upper case), or None when text is not a well-formed code."""
    match = CODE.fullmatch(text)
    return match.group(1).upper() if match else None


class CouponCode(fields.String):
    """A coupon code in a staff write: answered as stored, upper case."""

    json_schema = {"pattern": f"^{CODE.pattern}$"}
    default_error_messages = {"code": "Use 3 to 40 letters, digits, - or _."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        code = normal_code(super()._deserialize(value, attr, data, **kwargs))
        if code is None:
            raise self.make_error("code")
        return code


class CouponWriteSchema(DiscountInput):
    """POST /coupons; PATCH loads it with partial=True (the service checks the merged coupon with discount_problems)."""
    code = CouponCode(required=True)
    percent_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01"), max=100))
    amount_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01"), max=MONEY_MAX))
    min_subtotal = MoneyIn(allow_none=True, validate=validate.Range(min=0, max=MONEY_MAX),
                           metadata={"description": "Compared with the cart's subtotal (list prices, before offers)"})
    starts_at = fields.AwareDateTime(allow_none=True, default_timezone=UTC)
    ends_at = fields.AwareDateTime(allow_none=True, default_timezone=UTC)
    max_uses = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=UINT_MAX))
    max_uses_per_user = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=UINT_MAX))
    is_active = Flag(load_default=True)


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
