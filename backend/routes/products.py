"""Catalog endpoints: /products."""
from __future__ import annotations

from flask import Blueprint

from backend.openapi import doc
from backend.routes import load_query, services
from backend.schemas.products import ProductDetailSchema, ProductListQuery, ProductPageSchema

bp = Blueprint("products", __name__)


@bp.get("/products")
@doc("List products", tags=["catalog"], query=ProductListQuery, response=ProductPageSchema, errors=(422,))
def list_products():
    args = load_query(ProductListQuery())
    return ProductPageSchema().dump(services().products.list_products(args["page"], args["per_page"]))


@bp.get("/products/<int:product_id>")
@doc("One product", tags=["catalog"], response=ProductDetailSchema, errors=(404,))
def get_product(product_id: int):
    return ProductDetailSchema().dump(services().products.get_product(product_id))
