"""Catalog endpoints: /products (storefront listing and detail, staff management) and the product page."""
from __future__ import annotations

from flask import Blueprint, render_template

from backend.http_headers import public_when_anonymous
from backend.openapi import doc
from backend.routes import actor, created, load_json, load_query, services
from backend.routes.guard import requires
from backend.schemas.products import (
    ProductAdminSchema,
    ProductDetailSchema,
    ProductListQuery,
    ProductPageSchema,
    ProductWriteSchema,
    dump_product_detail,
    dump_product_page,
)

bp = Blueprint("products", __name__)
# Built once: a marshmallow schema's construction costs more than the load itself, and load is thread-safe.
_LIST_QUERY = ProductListQuery()
pages = Blueprint("product_pages", __name__)
TAGS = ["catalog"]


@bp.get("/products")
@public_when_anonymous
@doc("List products: search q, category subtree, price range on the price paid, in stock, sort, paging",
     tags=TAGS, query=ProductListQuery, response=ProductPageSchema, errors=(422,))
def list_products():
    args = load_query(_LIST_QUERY)
    return dump_product_page(services().products.list_products(**args))


@bp.get("/products/<int:product_id>")
@public_when_anonymous
@doc("One product with description, category_path and its active offer", tags=TAGS,
     response=ProductDetailSchema, errors=(404,))
def get_product(product_id: int):
    return dump_product_detail(services().products.get_product(product_id))


@bp.post("/products")
@requires("catalog.write")
@doc("Create a product", tags=TAGS, body=ProductWriteSchema, response=ProductAdminSchema, status=201,
     errors=(400, 401, 403, 409, 422))
def create_product():
    values = load_json(ProductWriteSchema())
    product = services().products.create_product(actor(), values)
    return created(ProductAdminSchema().dump(product), "products.get_product", product_id=product["id"])


@bp.patch("/products/<int:product_id>")
@requires("catalog.write")
@doc("Change a product (any subset of the fields; is_archived false restores an archived one)", tags=TAGS,
     body=ProductWriteSchema(partial=True), response=ProductAdminSchema, errors=(409,))
def update_product(product_id: int):
    # partial=True: fields not sent stay out (load_default is not applied to them).
    changes = load_json(ProductWriteSchema(partial=True))
    return ProductAdminSchema().dump(services().products.update_product(actor(), product_id, changes))


@bp.delete("/products/<int:product_id>")
@requires("catalog.write")
@doc("Delete a product; one that is in past orders is archived (hidden) instead", tags=TAGS,
     status=204, errors=(401, 403, 404, 409))
def delete_product(product_id: int):
    services().products.delete_product(actor(), product_id)
    return "", 204


@pages.get("/products/<int:product_id>")
def product_page(product_id: int):
    return render_template("product.html", product_id=product_id)
