"""Tax rate shapes: one rate per country."""
from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

from backend.schemas.common import CountryCode, Money, UtcDateTime
from backend.schemas.products import MoneyIn


class PercentIn(MoneyIn):
    """A percentage from 0 to 100 with at most two places, as a decimal string ("20.00") or a number; the
    string's pattern says the bounds too, so the document describes exactly what is accepted."""

    TEXT = re.compile(r"(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)", re.ASCII)
    json_schema = {"anyOf": [{"type": "string", "format": "decimal", "pattern": f"^{TEXT.pattern}$"},
                             {"type": "number", "multipleOf": 0.01}],
                   "description": 'A percentage from 0 to 100 such as "20.00" (preferred) or a number; at most two '
                                  "places."}
    default_error_messages = {"invalid": "Must be a percentage from 0 to 100 with at most two decimal places."}


class TaxRateWriteSchema(Schema):
    """POST /tax-rates; PATCH loads it with partial=True."""
    country = CountryCode(required=True)
    rate = PercentIn(required=True, validate=validate.Range(min=0, max=100))


class TaxRateSchema(Schema):
    id = fields.Integer()
    country = fields.String()
    rate = Money(metadata={"description": 'A percentage: "20.00"'})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
