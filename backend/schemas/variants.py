"""Variant shapes of docs/api.md ("Variants (options and SKUs)") and the validation of staff writes."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from backend.schemas.common import INT_MAX, UINT_MAX, Money
from backend.schemas.products import MONEY_MAX, MoneyIn

MAX_OPTIONS = 5
NAME_MAX = 40
VALUE_MAX = 100
SKU_MAX = 64
# Letters, digits and . _ - / : a SKU is printed on labels and typed into searches.
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text_problem(text: Any, max_length: int) -> str | None:
    if not isinstance(text, str):
        return "must be text"
    if not text.strip():
        return "must not be blank"
    if len(text.strip()) > max_length:
        return f"must be at most {max_length} characters"
    if _CONTROL.search(text):
        return "must not contain control characters"
    return None


class OptionsField(fields.Field):
    """{"Size": "M", "Colour": "Red"}: 1 to 5 option names, each with one value; names and values are trimmed.

    One message list for the whole field (fields.options), whatever part of it is wrong.
    """

    json_schema = {"type": "object", "minProperties": 1, "maxProperties": MAX_OPTIONS,
                   "additionalProperties": {"type": "string", "minLength": 1, "maxLength": VALUE_MAX,
                                            "pattern": r"^[^\x00-\x1f\x7f-\x9f]*\S[^\x00-\x1f\x7f-\x9f]*$"},
                   "description": f"Option name -> value, e.g. {{\"Size\": \"M\", \"Colour\": \"Red\"}}: 1 to "
                                  f"{MAX_OPTIONS} names of at most {NAME_MAX} characters, values of at most "
                                  f"{VALUE_MAX}; the names must be those of the product's other variants.",
                   "example": {"Size": "M", "Colour": "Red"}}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not value:
            raise ValidationError("Must be an object of option names and values, e.g. {\"Size\": \"M\"}.")
        if len(value) > MAX_OPTIONS:
            raise ValidationError(f"At most {MAX_OPTIONS} options.")
        options: dict[str, str] = {}
        for name, text in value.items():
            problem = _text_problem(name, NAME_MAX)
            if problem:
                raise ValidationError(f"Option name {name!r} {problem}.")
            problem = _text_problem(text, VALUE_MAX)
            if problem:
                raise ValidationError(f"The value of {name.strip()!r} {problem}.")
            if name.strip().casefold() in {n.casefold() for n in options}:
                raise ValidationError(f"Option {name.strip()!r} is named twice.")
            options[name.strip()] = text.strip()
        return options


class VariantWriteSchema(Schema):
    """POST /products/{id}/variants; PATCH loads it with partial=True (price null: the product's price again)."""
    sku = fields.String(required=True, validate=[validate.Length(min=1, max=SKU_MAX), validate.Regexp(
        SKU_PATTERN, error="Letters, digits and . _ - / only, starting with a letter or digit.")])
    options = OptionsField(required=True)
    price = MoneyIn(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MONEY_MAX),
                    metadata={"description": "The variant's own price; null or absent: the product's price."})
    stock = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=INT_MAX))


class VariantSchema(Schema):
    """A variant as the product detail and the variant endpoints answer it."""
    id = fields.Integer()
    product_id = fields.Integer()
    sku = fields.String()
    options = fields.Dict(keys=fields.String(), values=fields.String())
    variant_label = fields.String(metadata={"description": "The option values in the product's order: \"M / Red\""})
    price = Money(metadata={"description": "The list price: the variant's own, else the product's"})
    own_price = Money(allow_none=True, metadata={"description": "The variant's own price; null: the product's"})
    sale_price = Money(allow_none=True)
    currency = fields.String()
    stock = fields.Integer()
    in_stock = fields.Boolean()


class ProductOptionSchema(Schema):
    name = fields.String()
    values = fields.List(fields.String())


class VariantListSchema(Schema):
    options = fields.List(fields.Nested(ProductOptionSchema))
    variants = fields.List(fields.Nested(VariantSchema))


class VariantRefQuery(Schema):
    """?variant_id= on a cart or saved line: which variant of the product (absent: a product without variants)."""
    variant_id = fields.Integer(validate=validate.Range(min=1, max=UINT_MAX))

