"""Dashboard shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.schemas.common import Money


class StatsQuery(Schema):
    low_stock = fields.Integer(load_default=5, validate=validate.Range(min=0, max=1_000_000))


class SalesDaySchema(Schema):
    day = fields.String(metadata={"description": "YYYY-MM-DD (UTC)"})
    orders = fields.Integer()
    revenue = Money()


class TopProductSchema(Schema):
    product_id = fields.Integer()
    name = fields.String()
    units = fields.Integer()
    revenue = Money()


class StatusCountSchema(Schema):
    status = fields.String()
    count = fields.Integer()


class LowStockSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    stock = fields.Integer()


class CouponUseSchema(Schema):
    """A coupon's use by the orders of the last stats.DAYS days (cancelled and refunded ones gave theirs back)."""
    code = fields.String()
    orders = fields.Integer()
    discount = Money()


class StatsSchema(Schema):
    currency = fields.String()
    sales_per_day = fields.List(fields.Nested(SalesDaySchema))
    top_products = fields.List(fields.Nested(TopProductSchema))
    orders_by_status = fields.List(fields.Nested(StatusCountSchema))
    low_stock = fields.List(fields.Nested(LowStockSchema))
    low_stock_threshold = fields.Integer()
    coupons = fields.List(fields.Nested(CouponUseSchema))
