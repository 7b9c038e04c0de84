"""Offer shapes and the validation of staff writes."""
from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.schemas.common import (
    Money,
    PageQuery,
    UtcDateTime,
    WindowInput,
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


class OfferWriteSchema(WindowInput):
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

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _across_fields(self, data: dict[str, Any], original: dict[str, Any], *, partial: Any = None,
                       **kwargs: Any) -> None:
        # A whole offer (POST) meets the rules across fields here, in one answer with its fields' problems.
        # "Given" is judged as sent, so a value that failed its own check does not also read as missing.
        if partial:
            return
        sent = {k: original.get(k) for k in ("percent_off", "amount_off", "product_id", "category_id")}
        problems = offer_problems({**sent, "starts_at": data.get("starts_at"), "ends_at": data.get("ends_at")})
        if problems:
            raise ValidationError(problems)


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
