"""Admin endpoints: /admin/users, /admin/mail/test, /admin/audit; and the admin panel page."""
from __future__ import annotations

from flask import Blueprint, render_template

from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.guard import requires
from backend.schemas.admin import (
    AdminUserPageSchema,
    AdminUserSchema,
    AffectedSchema,
    AuditPageSchema,
    AuditQuery,
    BulkSchema,
    MailQueuedSchema,
    MailTestSchema,
    PurgeResultSchema,
    PurgeSchema,
    UserCreateSchema,
    UserListQuery,
    UserPatchSchema,
)

bp = Blueprint("admin", __name__)
pages = Blueprint("admin_pages", __name__)
TAGS = ["admin"]


@bp.get("/admin/users")
@requires("users.read")
@doc("Search users", tags=TAGS, query=UserListQuery, response=AdminUserPageSchema, errors=(401, 403, 422))
def list_users():
    args = load_query(UserListQuery())
    return AdminUserPageSchema().dump(services().admin.list_users(
        args.get("q"), args.get("role"), args.get("status"), args["page"], args["per_page"]))


@bp.post("/admin/users")
@requires("users.write")
@doc("Create a user with a role", tags=TAGS, body=UserCreateSchema, response=AdminUserSchema, status=201,
     errors=(401, 403, 409, 422))
def create_user():
    user = services().admin.create_user(actor(), load_json(UserCreateSchema()))
    return created(AdminUserSchema().dump(user), "admin.get_user", user_id=user["id"])


@bp.get("/admin/users/<int:user_id>")
@requires("users.read")
@doc("One user", tags=TAGS, response=AdminUserSchema, errors=(401, 403, 404))
def get_user(user_id: int):
    return AdminUserSchema().dump(services().admin.get_user(user_id))


@bp.patch("/admin/users/<int:user_id>")
@requires("users.write")
@doc("Change a user's role, active flag or block", tags=TAGS, body=UserPatchSchema, response=AdminUserSchema,
     errors=(401, 403, 404, 409, 422))
def update_user(user_id: int):
    return AdminUserSchema().dump(services().admin.update_user(actor(), user_id, load_json(UserPatchSchema())))


@bp.delete("/admin/users/<int:user_id>")
@requires("users.write")
@doc("Delete a user (one with orders is anonymised instead)", tags=TAGS, status=204, errors=(401, 403, 404, 409))
def delete_user(user_id: int):
    services().admin.delete_user(actor(), user_id)
    return "", 204


@bp.post("/admin/users/bulk")
@requires("users.write")
@doc("One action on many users", tags=TAGS, body=BulkSchema, response=AffectedSchema, errors=(401, 403, 409, 422))
def bulk_users():
    args = load_json(BulkSchema())
    affected = services().admin.bulk(actor(), args["action"], args["user_ids"], args["blocked_until"])
    return AffectedSchema().dump({"affected": affected})


@bp.post("/admin/users/purge-inactive")
@requires("users.write")
@doc("Purge customers inactive for N days", tags=TAGS, body=PurgeSchema, response=PurgeResultSchema,
     errors=(401, 403, 422))
def purge_inactive():
    args = load_json(PurgeSchema())
    return PurgeResultSchema().dump(services().admin.purge_inactive(actor(), args["inactive_days"]))


@bp.post("/admin/mail/test")
@requires("mail.test")
@doc("Queue a test email", tags=TAGS, body=MailTestSchema, response=MailQueuedSchema, status=202,
     errors=(401, 403, 422))
def mail_test():
    message_id = services().admin.send_test_mail(actor(), load_json(MailTestSchema())["to"])
    return MailQueuedSchema().dump({"queued": True, "message_id": message_id}), 202


@bp.get("/admin/audit")
@requires("audit.read")
@doc("The audit log", tags=TAGS, query=AuditQuery, response=AuditPageSchema, errors=(401, 403, 422))
def list_audit():
    args = load_query(AuditQuery())
    filters = {k: args.get(k) for k in ("actor_id", "action", "since")}
    return AuditPageSchema().dump(services().admin.list_audit(filters, args["page"], args["per_page"]))


@pages.get("/admin")
@pages.get("/admin/<path:view>")
def panel(view: str = ""):
    # One page app: the shell is public, every piece of data behind it is guarded by the API.
    return render_template("admin.html")
