"""Catalog endpoints: /offers (staff; supervisors may read)."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.guard import requires
from backend.schemas.offers import OfferListQuery, OfferPageSchema, OfferSchema, OfferWriteSchema

bp = Blueprint("offers", __name__)
TAGS = ["catalog"]


@bp.get("/offers")
@requires("catalog.read_admin")
@doc("List offers, newest first", tags=TAGS, query=OfferListQuery, response=OfferPageSchema,
     errors=(401, 403, 422))
def list_offers():
    args = load_query(OfferListQuery())
    return OfferPageSchema().dump(services().offers.list_offers(args["page"], args["per_page"]))


@bp.get("/offers/<int:offer_id>")
@requires("catalog.read_admin")
@doc("One offer", tags=TAGS, response=OfferSchema, errors=(401, 403, 404))
def get_offer(offer_id: int):
    return OfferSchema().dump(services().offers.get_offer(offer_id))


@bp.post("/offers")
@requires("catalog.write")
@doc("Create an offer: percent_off or amount_off, on product_id or category_id (its whole subtree), "
     "from starts_at to ends_at", tags=TAGS, body=OfferWriteSchema, response=OfferSchema, status=201,
     errors=(400, 401, 403, 422))
def create_offer():
    offer = services().offers.create_offer(actor(), load_json(OfferWriteSchema()))
    return created(OfferSchema().dump(offer), "offers.get_offer", offer_id=offer["id"])


@bp.patch("/offers/<int:offer_id>")
@requires("catalog.write")
@doc("Change an offer (send null to clear percent_off/amount_off or product_id/category_id when switching)",
     tags=TAGS, body=OfferWriteSchema(partial=True), response=OfferSchema)
def update_offer(offer_id: int):
    changes = load_json(OfferWriteSchema(partial=True))
    return OfferSchema().dump(services().offers.update_offer(actor(), offer_id, changes))


@bp.delete("/offers/<int:offer_id>")
@requires("catalog.write")
@doc("Delete an offer", tags=TAGS, status=204, errors=(401, 403, 404))
def delete_offer(offer_id: int):
    services().offers.delete_offer(actor(), offer_id)
    return "", 204
