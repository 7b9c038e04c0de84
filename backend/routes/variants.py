"""Variant endpoints: /products/{id}/variants (options and SKUs of a product; staff writes)."""
from __future__ import annotations

from flask import Blueprint

from backend.http_headers import public_when_anonymous
from backend.openapi import doc
from backend.routes import actor, created, load_json, services
from backend.routes.guard import requires
from backend.schemas.variants import VariantListSchema, VariantSchema, VariantWriteSchema

bp = Blueprint("variants", __name__)
TAGS = ["catalog"]


@bp.get("/products/<int:product_id>/variants")
@public_when_anonymous
@doc("A product's options and active variants (as in the product detail)", tags=TAGS,
     response=VariantListSchema, errors=(404,))
def list_variants(product_id: int):
    return VariantListSchema().dump(services().variants.list_variants(product_id))


@bp.get("/products/<int:product_id>/variants/<int:variant_id>")
@public_when_anonymous
@doc("One active variant of a visible product", tags=TAGS, response=VariantSchema, errors=(404,))
def get_variant(product_id: int, variant_id: int):
    return VariantSchema().dump(services().variants.get_variant(product_id, variant_id))


@bp.post("/products/<int:product_id>/variants")
@requires("catalog.write")
@doc("Add a variant: a combination of option values with its own sku, stock and optionally price", tags=TAGS,
     body=VariantWriteSchema, response=VariantSchema, status=201, errors=(404, 409))
def create_variant(product_id: int):
    values = load_json(VariantWriteSchema())
    variant = services().variants.create_variant(actor(), product_id, values)
    return created(VariantSchema().dump(variant), "variants.get_variant", product_id=product_id,
                   variant_id=variant["id"])


@bp.patch("/products/<int:product_id>/variants/<int:variant_id>")
@requires("catalog.write")
@doc("Change a variant (any subset of the fields; price null: the product's price)", tags=TAGS,
     body=VariantWriteSchema(partial=True), response=VariantSchema, errors=(404, 409))
def update_variant(product_id: int, variant_id: int):
    changes = load_json(VariantWriteSchema(partial=True))
    return VariantSchema().dump(services().variants.update_variant(actor(), product_id, variant_id, changes))


@bp.delete("/products/<int:product_id>/variants/<int:variant_id>")
@requires("catalog.write")
@doc("Delete a variant; one that is in past orders is archived (hidden) instead", tags=TAGS,
     status=204, errors=(404,))
def delete_variant(product_id: int, variant_id: int):
    services().variants.delete_variant(actor(), product_id, variant_id)
    return "", 204
