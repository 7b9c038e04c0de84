"""Backup shapes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.schemas.common import UtcDateTime, page_schema


class BackupCreateSchema(Schema):
    method = fields.String(load_default="auto", validate=validate.OneOf(("auto", "mysqldump", "python")))


class BackupSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    method = fields.String(metadata={"description": "mysqldump or python"})
    size_bytes = fields.Integer()
    row_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total_rows = fields.Integer()
    created_by = fields.Integer(allow_none=True)
    created_by_username = fields.String(allow_none=True)
    created_at = UtcDateTime()
    file_exists = fields.Boolean()


BackupPageSchema = page_schema(BackupSchema, "BackupPage")


class RestoreResultSchema(Schema):
    backup_id = fields.Integer()
    filename = fields.String()
    tables = fields.List(fields.String())
    rows = fields.Dict(keys=fields.String(), values=fields.Integer())
    statements = fields.Integer()
