"""Cart and saved-for-later shapes of docs/api.md."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.schemas.common import UINT_MAX, Money, UtcDateTime, page_schema

MAX_QUANTITY = 10_000


class CartItemInput(Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    # null is "no variant", as cart lines show it, so a line can be sent back as it came.
    variant_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=UINT_MAX),
                                metadata={"description": "Required for a product with variants (one of its own); "
                                                         "absent or null for one without."})
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class QuantityInput(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))


class LineSchema(Schema):
    """A priced line, as a cart shows it and an order keeps it."""
    product_id = fields.Integer()
    # null for a product without variants
    variant_id = fields.Integer(allow_none=True)
    sku = fields.String(allow_none=True)
    variant_label = fields.String(allow_none=True, metadata={"description": "The variant's values: \"M / Red\""})
    name = fields.String()
    unit_price = Money()
    quantity = fields.Integer()
    line_total = Money()


class CartLineSchema(LineSchema):
    stock = fields.Integer()
    # Beyond docs/api.md: the list price, the sale price (null without an offer) and what stops checkout.
    price = Money()
    sale_price = Money(allow_none=True)
    in_stock = fields.Boolean()
    problem = fields.String(allow_none=True)
    image_url = fields.String()


class AppliedCouponSchema(Schema):
    """The coupon on a cart, summary or order and what it takes off (included in discount_total)."""
    code = fields.String()
    amount = Money()


class CartCouponSchema(AppliedCouponSchema):
    """The coupon on a cart (and summary): amount "0.00" while it does not apply, and why (problem)."""
    problem = fields.String(allow_none=True, validate=validate.OneOf(["coupon_invalid", "coupon_exhausted"]),
                            metadata={"description": "null while it applies; coupon_invalid (expired, inactive, the "
                                                     "cart under its minimum) or coupon_exhausted (used up)"})
    message = fields.String(allow_none=True, metadata={"description": "Why it does not apply, in a sentence; null "
                                                                      "while it applies"})


class CartSchema(Schema):
    items = fields.List(fields.Nested(CartLineSchema))
    subtotal = Money()
    discount_total = Money()
    total = Money()
    currency = fields.String()
    item_count = fields.Integer()
    coupon = fields.Nested(CartCouponSchema, allow_none=True, dump_default=None)


class SavedItemSchema(Schema):
    product_id = fields.Integer()
    variant_id = fields.Integer(allow_none=True)
    sku = fields.String(allow_none=True)
    variant_label = fields.String(allow_none=True)
    name = fields.String()
    quantity = fields.Integer()
    price = Money()
    sale_price = Money(allow_none=True)
    unit_price = Money()
    currency = fields.String()
    stock = fields.Integer()
    in_stock = fields.Boolean()
    image_url = fields.String()
    saved_at = UtcDateTime()


SavedPageSchema = page_schema(SavedItemSchema, "SavedPage")
