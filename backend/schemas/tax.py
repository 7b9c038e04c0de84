"""Tax rate shapes: one rate per country."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.schemas.common import CountryCode, Money, UtcDateTime
from backend.schemas.products import MoneyIn


class TaxRateWriteSchema(Schema):
    """POST /tax-rates; PATCH loads it with partial=True."""
    country = CountryCode(required=True)
    rate = MoneyIn(required=True, validate=validate.Range(min=0, max=100),
                   metadata={"description": 'A percentage from 0 to 100, such as "20.00"'})


class TaxRateSchema(Schema):
    id = fields.Integer()
    country = fields.String()
    rate = Money(metadata={"description": 'A percentage: "20.00"'})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
