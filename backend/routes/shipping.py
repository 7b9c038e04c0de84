"""Shipping method endpoints: /shipping-methods (admin; supervisors read) and /shipping/methods (anyone)."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.guard import requires
from backend.schemas.shipping import (
    PublicShippingMethodSchema,
    ShippingMethodSchema,
    ShippingMethodsQuery,
    ShippingMethodWriteSchema,
)

bp = Blueprint("shipping", __name__)
TAGS = ["orders"]


@bp.get("/shipping/methods")
@doc("The shipping methods serving a country (its code or \"*\"), cheapest first", tags=TAGS,
     query=ShippingMethodsQuery, response=PublicShippingMethodSchema(many=True), errors=(422,))
def methods_for_country():
    args = load_query(ShippingMethodsQuery())
    return PublicShippingMethodSchema(many=True).dump(services().shipping.methods_for_country(args["country"]))


@bp.get("/shipping-methods")
@requires("shipping.read")
@doc("Every shipping method, by id (not paged)", tags=TAGS, response=ShippingMethodSchema(many=True),
     errors=(401, 403))
def list_methods():
    return ShippingMethodSchema(many=True).dump(services().shipping.list_methods())


@bp.get("/shipping-methods/<int:method_id>")
@requires("shipping.read")
@doc("One shipping method", tags=TAGS, response=ShippingMethodSchema, errors=(401, 403, 404))
def get_method(method_id: int):
    return ShippingMethodSchema().dump(services().shipping.get_method(method_id))


@bp.post("/shipping-methods")
@requires("shipping.write")
@doc("Create a shipping method: price, free_from (null: never free), countries (codes, or [\"*\"] for every "
     "country), min_days to max_days", tags=TAGS, body=ShippingMethodWriteSchema, response=ShippingMethodSchema,
     status=201, errors=(400, 401, 403, 422))
def create_method():
    method = services().shipping.create_method(actor(), load_json(ShippingMethodWriteSchema()))
    return created(ShippingMethodSchema().dump(method), "shipping.get_method", method_id=method["id"])


@bp.patch("/shipping-methods/<int:method_id>")
@requires("shipping.write")
@doc("Change a shipping method", tags=TAGS, body=ShippingMethodWriteSchema(partial=True),
     response=ShippingMethodSchema, errors=(401, 403, 404, 422))
def update_method(method_id: int):
    changes = load_json(ShippingMethodWriteSchema(partial=True))
    return ShippingMethodSchema().dump(services().shipping.update_method(actor(), method_id, changes))


@bp.delete("/shipping-methods/<int:method_id>")
@requires("shipping.write")
@doc("Delete a shipping method (orders keep its name)", tags=TAGS, status=204, errors=(401, 403, 404))
def delete_method(method_id: int):
    services().shipping.delete_method(actor(), method_id)
    return "", 204
