"""Checkout and order shapes of docs/api.md."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.clock import utcnow
from backend.order_status import STATUSES
from backend.schemas.accounts import AddressSchema, SavedAddressInSchema
from backend.schemas.cart import AppliedCouponSchema, CartSchema, LineSchema
from backend.schemas.common import AddressCountry, Money, PageQuery, UtcDateTime, flat_messages, page_schema
from backend.services.payments import card_expired, valid_card_number

_CARD_SEPARATORS = re.compile(r"[ -]")


class FlatErrors(Schema):
    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        raise ValidationError(flat_messages(error.normalized_messages())) from error


class CardNumber(fields.String):
    """A card number as typed (spaces and dashes allowed), loaded as its digits. Checked here, Luhn included,
    so a mistyped number is named in the same answer as the other fields' problems."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        number = _CARD_SEPARATORS.sub("", super()._deserialize(value, attr, data, **kwargs))
        if not valid_card_number(number):  # ASCII digits only
            raise ValidationError("This is not a valid card number.")
        return number


class PaymentInput(Schema):
    # Messages never echo the value: a card number must not come back in an error either.
    card_number = CardNumber(required=True, validate=validate.Length(min=1, max=40))
    exp_month = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=12))
    exp_year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2199))
    cvc = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{3,4}$", error="3 or 4 digits."))
    cardholder = fields.String(required=True, validate=validate.Length(min=1, max=100))

    @validates_schema(skip_on_field_errors=False)
    def _not_expired(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Also in the same answer as the rest; the gateway checks again against the service's clock.
        if "exp_year" in data and "exp_month" in data and card_expired(data["exp_year"], data["exp_month"], utcnow()):
            raise ValidationError("This card has expired.", "exp_year")


class OrderInput(FlatErrors):
    json_schema = {"oneOf": [{"required": ["address_id"]}, {"required": ["shipping_address"]}]}
    address_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    shipping_address = fields.Nested(SavedAddressInSchema)
    payment = fields.Nested(PaymentInput, required=True)
    shipping_method_id = fields.Integer(strict=True, validate=validate.Range(min=1), metadata={
        "description": "Required when shipping methods exist: one serving the address's country"})

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def one_address(self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any) -> None:
        # Judged as sent, so it is named with the other fields' problems and a bad address is not "missing".
        if ("address_id" in original) == ("shipping_address" in original):
            raise ValidationError("Give either address_id or shipping_address.", "shipping_address")


class CheckoutSummaryQuery(Schema):
    country = AddressCountry(metadata={"description": "Where the order ships: prices shipping and tax"})
    shipping_method_id = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "The method to price (one serving country); else the cheapest serving it"})


class StatusInput(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class AdminOrderQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = fields.String(validate=validate.Length(max=100))


class OrderItemSchema(LineSchema):
    pass


class PaymentBriefSchema(Schema):
    brand = fields.String()
    last4 = fields.String()


class ShippingMethodBriefSchema(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "null once the method is deleted"})
    name = fields.String()


class OrderSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    items = fields.List(fields.Nested(OrderItemSchema))
    subtotal = Money()
    discount_total = Money()
    shipping = Money()
    total = Money()
    currency = fields.String()
    coupon = fields.Nested(AppliedCouponSchema, allow_none=True)
    shipping_method = fields.Nested(ShippingMethodBriefSchema, allow_none=True)
    tax_total = Money()
    tax_rate = Money(metadata={"description": "A percentage, as tax rates give it: \"20.00\""})
    prices_include_tax = fields.Boolean(metadata={
        "description": "true: the prices and total contain tax_total; false: tax_total was added to the total"})
    shipping_address = fields.Nested(AddressSchema)
    payment = fields.Nested(PaymentBriefSchema, allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class CustomerBriefSchema(Schema):
    id = fields.Integer(allow_none=True)
    email = fields.String(allow_none=True)
    username = fields.String(allow_none=True)


class AdminOrderSchema(OrderSchema):
    user = fields.Nested(CustomerBriefSchema)


class ProblemSchema(Schema):
    product_id = fields.Integer()
    variant_id = fields.Integer(allow_none=True)
    code = fields.String()


class CheckoutSummarySchema(CartSchema):
    # null while no way of shipping is known: shipping methods exist and no country (or none serves it)
    shipping = Money(allow_none=True)
    shipping_method = fields.Nested(ShippingMethodBriefSchema, allow_none=True, dump_default=None)
    # null until a country is given (GET /checkout/summary?country=)
    tax_total = Money(allow_none=True)
    tax_rate = Money(allow_none=True)
    prices_include_tax = fields.Boolean(metadata={"description": "PRICES_INCLUDE_TAX: whether the total contains "
                                                                 "tax_total (true) or adds it (false)"})
    problems = fields.List(fields.Nested(ProblemSchema))


OrderPageSchema = page_schema(OrderSchema, "OrderPage")
AdminOrderPageSchema = page_schema(AdminOrderSchema, "AdminOrderPage")
