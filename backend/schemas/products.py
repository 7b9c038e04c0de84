"""Product shapes of api.md."""
from __future__ import annotations

from marshmallow import Schema, fields

from backend.schemas.common import Money, PageQuery, UtcDateTime, page_schema


class ProductListQuery(PageQuery):
    pass


class OfferBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    percent_off = Money(allow_none=True)
    amount_off = Money(allow_none=True)
    ends_at = UtcDateTime()


class ProductSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    price = Money()
    sale_price = Money(allow_none=True)
    currency = fields.String()
    stock = fields.Integer()
    in_stock = fields.Boolean()
    category_id = fields.Integer(allow_none=True)
    image_url = fields.String()


class ProductDetailSchema(ProductSchema):
    description = fields.String()
    offer = fields.Nested(OfferBriefSchema, allow_none=True)
    created_at = UtcDateTime()


ProductPageSchema = page_schema(ProductSchema, "ProductPage")
