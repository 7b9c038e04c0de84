"""Admin panel resource shapes: descriptors and generic rows (values already JSON-safe)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import INCLUDE, Schema, fields, post_dump, validate

from backend.clock import iso
from backend.schemas.common import PageQuery


class ResourceQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=200))


class FieldSchema(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    options = fields.List(fields.String())


class ResourceSchema(Schema):
    name = fields.String()
    label = fields.String()
    columns = fields.List(fields.String())
    create_fields = fields.List(fields.Nested(FieldSchema))
    edit_fields = fields.List(fields.Nested(FieldSchema))
    create = fields.String(allow_none=True, metadata={"description": "API path to POST a new row, or null"})
    update = fields.String(metadata={"description": "METHOD and API path that changes a row"})
    delete = fields.String(allow_none=True, metadata={"description": "API path to DELETE a row, or null"})
    can_write = fields.Boolean()


class ResourceListSchema(Schema):
    items = fields.List(fields.Nested(ResourceSchema))


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A database row with money as two-place strings and times as ISO 8601 with Z."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = f"{value:.2f}"
        elif isinstance(value, datetime):
            out[key] = iso(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


class RowSchema(Schema):
    """A row of any resource: its columns vary with the resource, only `id` is common."""

    class Meta:
        unknown = INCLUDE

    id = fields.Integer()

    @post_dump(pass_original=True)
    def _every_column(self, data: dict[str, Any], row: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # A schema dumps only the fields it declares; a row answers all of its columns.
        return _json_row(row)


class JsonRow(fields.Dict):
    """A row of any resource inside a page (documented as any object, like the fields.Dict it is)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict[str, Any] | None:
        return None if value is None else _json_row(value)


RowPageSchema = Schema.from_dict({
    "items": fields.List(JsonRow()), "page": fields.Integer(), "per_page": fields.Integer(),
    "total": fields.Integer(), "pages": fields.Integer()}, name="ResourceRowPage")
