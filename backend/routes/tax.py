"""Tax rate endpoints: /tax-rates (admin; supervisors read), one rate per country."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import actor, created, load_json, services
from backend.routes.guard import requires
from backend.schemas.tax import TaxRateSchema, TaxRateWriteSchema

bp = Blueprint("tax", __name__)
TAGS = ["orders"]


@bp.get("/tax-rates")
@requires("tax.read")
@doc("Every tax rate, by country (not paged)", tags=TAGS, response=TaxRateSchema(many=True), errors=(401, 403))
def list_rates():
    return TaxRateSchema(many=True).dump(services().tax.list_rates())


@bp.get("/tax-rates/<int:rate_id>")
@requires("tax.read")
@doc("One tax rate", tags=TAGS, response=TaxRateSchema, errors=(401, 403, 404))
def get_rate(rate_id: int):
    return TaxRateSchema().dump(services().tax.get_rate(rate_id))


@bp.post("/tax-rates")
@requires("tax.write")
@doc("Create a country's tax rate (a percentage; one per country)", tags=TAGS, body=TaxRateWriteSchema,
     response=TaxRateSchema, status=201, errors=(400, 401, 403, 409, 422))
def create_rate():
    rate = services().tax.create_rate(actor(), load_json(TaxRateWriteSchema()))
    return created(TaxRateSchema().dump(rate), "tax.get_rate", rate_id=rate["id"])


@bp.patch("/tax-rates/<int:rate_id>")
@requires("tax.write")
@doc("Change a tax rate's country or rate", tags=TAGS, body=TaxRateWriteSchema(partial=True),
     response=TaxRateSchema, errors=(401, 403, 404, 409, 422))
def update_rate(rate_id: int):
    changes = load_json(TaxRateWriteSchema(partial=True))
    return TaxRateSchema().dump(services().tax.update_rate(actor(), rate_id, changes))


@bp.delete("/tax-rates/<int:rate_id>")
@requires("tax.write")
@doc("Delete a tax rate (that country's tax becomes 0)", tags=TAGS, status=204, errors=(401, 403, 404))
def delete_rate(rate_id: int):
    services().tax.delete_rate(actor(), rate_id)
    return "", 204
