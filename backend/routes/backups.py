"""Backup endpoints: /admin/backups."""
from __future__ import annotations

from flask import Blueprint, request

from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.guard import requires
from backend.schemas.backups import BackupCreateSchema, BackupPageSchema, BackupSchema, RestoreResultSchema
from backend.schemas.common import PageQuery

bp = Blueprint("backups", __name__)
TAGS = ["admin"]


@bp.get("/admin/backups")
@requires("backups.manage")
@doc("List backups with size, time and row counts", tags=TAGS, query=PageQuery, response=BackupPageSchema,
     errors=(401, 403, 422))
def list_backups():
    args = load_query(PageQuery())
    return BackupPageSchema().dump(services().backups.list_backups(args["page"], args["per_page"]))


@bp.post("/admin/backups")
@requires("backups.manage")
@doc("Make a full logical backup now (no body: method auto)", tags=TAGS, body=BackupCreateSchema, body_required=False,
     response=BackupSchema, status=201,
     errors=(401, 403, 409, 422))
def create_backup():
    # The body is optional: no body means {"method": "auto"}.
    args = load_json(BackupCreateSchema()) if request.content_length else {"method": "auto"}
    backup = services().backups.create_backup(actor(), method=args["method"])
    return created(BackupSchema().dump(backup), "backups.get_backup", backup_id=backup["id"])


@bp.get("/admin/backups/<int:backup_id>")
@requires("backups.manage")
@doc("One backup", tags=TAGS, response=BackupSchema, errors=(401, 403, 404))
def get_backup(backup_id: int):
    return BackupSchema().dump(services().backups.get_backup(backup_id))


@bp.post("/admin/backups/<int:backup_id>/restore")
@requires("backups.manage")
@doc("Restore the database from a backup", tags=TAGS, response=RestoreResultSchema, errors=(401, 403, 404, 409))
def restore_backup(backup_id: int):
    return RestoreResultSchema().dump(services().backups.restore_backup(actor(), backup_id))
