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
    media_files = fields.Integer(allow_none=True, metadata={
        "description": "Product image files saved with it (null: a backup without media)"})


BackupPageSchema = page_schema(BackupSchema, "BackupPage")


class RestoreResultSchema(Schema):
    backup_id = fields.Integer()
    filename = fields.String()
    tables = fields.List(fields.String())
    rows = fields.Dict(keys=fields.String(), values=fields.Integer())
    statements = fields.Integer()
    media_files = fields.Integer(allow_none=True, metadata={
        "description": "Image files in the backup (null: none saved with it; the media directory was left as it was)"})
    media_written = fields.Integer(metadata={"description": "Image files that were missing and were written back"})
    media_removed = fields.Integer(metadata={"description": "Image files no restored row uses, removed"})
