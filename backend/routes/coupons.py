"""Coupon codes: /coupons (product managers and admins; supervisors read). Customers use them via /cart/coupon."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.guard import requires
from backend.schemas.coupons import CouponListQuery, CouponPageSchema, CouponSchema, CouponWriteSchema

bp = Blueprint("coupons", __name__)
TAGS = ["coupons"]


@bp.get("/coupons")
@requires("coupons.read")
@doc("List coupons, newest first (q: part of the code)", tags=TAGS, query=CouponListQuery,
     response=CouponPageSchema, errors=(401, 403, 422))
def list_coupons():
    args = load_query(CouponListQuery())
    return CouponPageSchema().dump(services().coupons.list_coupons(args.get("q"), args["page"], args["per_page"]))


@bp.get("/coupons/<int:coupon_id>")
@requires("coupons.read")
@doc("One coupon", tags=TAGS, response=CouponSchema, errors=(401, 403, 404))
def get_coupon(coupon_id: int):
    return CouponSchema().dump(services().coupons.get_coupon(coupon_id))


@bp.post("/coupons")
@requires("coupons.write")
@doc("Create a coupon: a code (case-insensitive, unique) with percent_off or amount_off", tags=TAGS,
     body=CouponWriteSchema, response=CouponSchema, status=201, errors=(400, 401, 403, 409, 422))
def create_coupon():
    coupon = services().coupons.create_coupon(actor(), load_json(CouponWriteSchema()))
    return created(CouponSchema().dump(coupon), "coupons.get_coupon", coupon_id=coupon["id"])


@bp.patch("/coupons/<int:coupon_id>")
@requires("coupons.write")
@doc("Change a coupon (switching kind: send the new one and null the other)", tags=TAGS,
     body=CouponWriteSchema(partial=True), response=CouponSchema, errors=(400, 401, 403, 404, 409, 422))
def update_coupon(coupon_id: int):
    changes = load_json(CouponWriteSchema(partial=True))
    return CouponSchema().dump(services().coupons.update_coupon(actor(), coupon_id, changes))


@bp.delete("/coupons/<int:coupon_id>")
@requires("coupons.write")
@doc("Delete a coupon (orders keep its code and amount)", tags=TAGS, status=204, errors=(401, 403, 404))
def delete_coupon(coupon_id: int):
    services().coupons.delete_coupon(actor(), coupon_id)
    return "", 204
