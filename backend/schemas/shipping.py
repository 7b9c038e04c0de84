"""Shipping method shapes and the validation of admin writes."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.schemas.common import AddressCountry, CountryCode, Money, UtcDateTime, name_field
from backend.schemas.products import MoneyIn
from backend.services.pricing import MONEY_MAX

EVERYWHERE = "*"
MAX_DAYS = 365


class ShippingCountry(CountryCode):
    """A country code, or "*" for every country."""

    json_schema = {"type": "string", "pattern": r"^(\*|[A-Za-z]{2})$", "example": "GB",
                   "description": "An ISO 3166-1 alpha-2 country code such as GB, or * for every country"}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if value == EVERYWHERE:
            return EVERYWHERE
        return super()._deserialize(value, attr, data, **kwargs)


class CountryList(fields.List):
    """A list of ShippingCountry whose bad items are named on the list itself ("countries"), in one sentence."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            if not isinstance(exc.messages, dict):  # not a list at all: the list's own message
                raise
            places = [str(index + 1) for index in sorted(exc.messages)]
            which = f"item{'s' if len(places) > 1 else ''} {', '.join(places)}"
            raise ValidationError(f'Use two-letter ISO 3166-1 country codes such as GB, or "*" ({which}).') from exc


def method_problems(method: dict[str, Any]) -> dict[str, list[str]]:
    """The rules across a method's fields (each field alone is the schema's): {field: [problem]}."""
    problems: dict[str, list[str]] = {}
    countries = method.get("countries")
    if countries is not None and EVERYWHERE in countries and len(set(countries)) > 1:
        problems["countries"] = ['Give either ["*"] (every country) or country codes, not both.']
    low, high = method.get("min_days"), method.get("max_days")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems["max_days"] = ["Must not be below min_days."]
    return problems


def normal_countries(countries: list[str]) -> list[str]:
    """Duplicates removed, sorted: how a method's countries are stored and answered."""
    return sorted(set(countries))


class ShippingMethodWriteSchema(Schema):
    """POST /shipping-methods; PATCH loads it with partial=True (the service checks the merged method)."""
    name = name_field(100)
    price = MoneyIn(required=True, validate=validate.Range(min=0, max=MONEY_MAX))
    free_from = MoneyIn(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MONEY_MAX),
                        metadata={"description": "Free when merchandise after discounts reaches this; null: never"})
    countries = CountryList(ShippingCountry(), required=True, validate=validate.Length(min=1, max=300),
                            metadata={"description": 'Country codes, or ["*"] for every country'})
    min_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_DAYS))
    max_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_DAYS),
                              metadata={"description": "At least min_days"})

    @validates_schema(skip_on_field_errors=False)
    def _across_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Named in one answer with the fields' own problems; a PATCH's merged method is checked by the service.
        problems = method_problems(data)
        if problems:
            raise ValidationError(problems)


class ShippingMethodsQuery(Schema):
    country = AddressCountry(required=True)


class PublicShippingMethodSchema(Schema):
    """What anyone sees of a method: GET /shipping/methods."""
    id = fields.Integer()
    name = fields.String()
    price = Money()
    free_from = Money(allow_none=True)
    countries = fields.List(fields.String())
    min_days = fields.Integer()
    max_days = fields.Integer()


class ShippingMethodSchema(PublicShippingMethodSchema):
    """A method as admins manage it: GET, POST /shipping-methods."""
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
