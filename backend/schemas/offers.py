"""Offer shapes and the validation of staff writes."""
from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from backend.schemas.common import (
    DiscountInput,
    Money,
    PageQuery,
    UtcDateTime,
    discount_problems,
    name_field,
    page_schema,
)
from backend.schemas.products import MoneyIn


def offer_problems(offer: dict[str, Any]) -> dict[str, list[str]]:
    """The rules across an offer's fields (each field alone is the schema's): {field: [problem]}."""
    problems = discount_problems(offer)
    if (offer.get("product_id") is None) == (offer.get("category_id") is None):
        problems["product_id"] = ["Give exactly one of product_id and category_id."]
    return problems


class OfferWriteSchema(DiscountInput):
    """POST /offers; PATCH loads it with partial=True (the service checks the merged offer with offer_problems)."""
    name = name_field(120)
    # Below 100: an offer never makes a product free.
    percent_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01"), max=100,
                                                                   max_inclusive=False))
    amount_off = MoneyIn(allow_none=True, validate=validate.Range(min=Decimal("0.01")))
    product_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
    category_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
    starts_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    ends_at = fields.AwareDateTime(required=True, default_timezone=UTC)

    cross_fields = ("percent_off", "amount_off", "product_id", "category_id")

    def cross_problems(self, item: dict[str, Any]) -> dict[str, list[str]]:
        return offer_problems(item)


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
