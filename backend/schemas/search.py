"""Search shapes: trending terms."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class TrendingQuery(Schema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class TrendingTermSchema(Schema):
    term = fields.String()
    count = fields.Integer()
