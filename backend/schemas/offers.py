"""Offer shapes and the validation of staff writes."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from backend.schemas.common import Money, PageQuery, UtcDateTime, name_field, page_schema
from backend.schemas.products import MoneyIn


class OfferWriteSchema(Schema):
    """POST /offers; PATCH loads it with partial=True. Cross-field rules live in services.offers.check_offer."""
    name = name_field(120)
    percent_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01"), max=100))
    amount_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01")))
    product_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
    category_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
    starts_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    ends_at = fields.AwareDateTime(required=True, default_timezone=UTC)

    @post_load
    def _naive_utc(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # The database keeps naive UTC; a time given with another offset is converted first.
        for key in ("starts_at", "ends_at"):
            value = data.get(key)
            if isinstance(value, datetime):
                data[key] = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        return data


class OfferSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    percent_off = Money(allow_none=True)
    amount_off = Money(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    active = fields.Boolean()
    created_at = UtcDateTime()


class OfferListQuery(PageQuery):
    pass


OfferPageSchema = page_schema(OfferSchema, "OfferPage")
