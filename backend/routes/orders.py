"""Checkout and order endpoints: /checkout/summary, /orders, /admin/orders; the checkout and thank-you pages."""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from backend import errors
from backend.openapi import doc
from backend.routes import actor, load_json, load_query, services
from backend.routes.guard import current_user, login_required, requires
from backend.schemas.common import PageQuery
from backend.schemas.orders import (
    AdminOrderPageSchema,
    AdminOrderQuery,
    AdminOrderSchema,
    CheckoutSummaryQuery,
    CheckoutSummarySchema,
    OrderInput,
    OrderPageSchema,
    OrderSchema,
    StatusInput,
)
from backend.services.payments import Card

bp = Blueprint("orders", __name__)
pages = Blueprint("orders_pages", __name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# Checkout is the hot path: building these schemas (their nested fields are deep-copied) costs several
# times what loading and dumping with them does, so it is done once. They keep no state between calls.
_ORDER_INPUT = OrderInput()
_ORDER = OrderSchema()


def _idempotency_key() -> str:
    """The Idempotency-Key header: 400 idempotency_key_required when missing or not 1-255 visible ASCII chars."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not _VALID_KEY.match(key):
        raise errors.BadRequest("Send an Idempotency-Key header (1-255 visible ASCII characters).",
                                code="idempotency_key_required")
    return key


@bp.get("/checkout/summary")
@login_required
@doc("The order as it would be placed now, with its problems (shipping and tax for country and "
     "shipping_method_id)", tags=["orders"], query=CheckoutSummaryQuery, response=CheckoutSummarySchema,
     errors=(401, 403, 422))
def checkout_summary():
    args = load_query(CheckoutSummaryQuery())
    return CheckoutSummarySchema().dump(services().orders.summary(
        current_user()["id"], args.get("country"), args.get("shipping_method_id")))


@bp.post("/orders")
@login_required
@doc("Place the cart as an order (header Idempotency-Key required; a repeat answers the same order)",
     tags=["orders"], body=OrderInput, response=OrderSchema, status=201, errors=(400, 401, 402, 403, 409, 422),
     headers={IDEMPOTENCY_HEADER: {
         "required": True, "schema": {"type": "string", "pattern": _VALID_KEY.pattern},
         "description": "A key the client makes for this order (1-255 visible ASCII characters); a retry with "
                        "the same key and body answers the same order, with another body 409"}},
     response_headers={"Idempotent-Replayed": {
         "required": True, "schema": {"type": "string", "enum": ["true", "false"]},
         "description": "true when the key was seen before and this is the order it placed"}})
def place_order():
    key = _idempotency_key()
    args = load_json(_ORDER_INPUT)
    pay = args["payment"]
    card = Card(pay["card_number"], pay["exp_month"], pay["exp_year"], pay["cvc"], pay["cardholder"])
    order, created = services().orders.place_order(actor(), key, card, address_id=args.get("address_id"),
                                                   shipping_address=args.get("shipping_address"),
                                                   shipping_method_id=args.get("shipping_method_id"))
    # A repeat answers exactly like the first time (201 and the same order), flagged in a header.
    headers = {"Location": f"/api/v1/orders/{order['id']}", "Idempotent-Replayed": "false" if created else "true"}
    return _ORDER.dump(order), 201, headers


@bp.get("/orders")
@login_required
@doc("Own orders, newest first, each with its items", tags=["orders"], query=PageQuery, response=OrderPageSchema,
     errors=(401, 422))
def list_orders():
    args = load_query(PageQuery())
    return OrderPageSchema().dump(services().orders.list_orders(current_user()["id"], args["page"], args["per_page"]))


@bp.get("/orders/<int:order_id>")
@login_required
@doc("One own order", tags=["orders"], response=OrderSchema, errors=(401, 404))
def get_order(order_id: int):
    return OrderSchema().dump(services().orders.get_order(current_user()["id"], order_id))


@bp.post("/orders/<int:order_id>/cancel")
@login_required
@doc("Cancel an own pending or paid order (stock goes back)", tags=["orders"], response=OrderSchema,
     errors=(401, 403, 404, 409))
def cancel_order(order_id: int):
    return OrderSchema().dump(services().orders.cancel_order(actor(), order_id))


@bp.get("/admin/orders")
@requires("orders.read_admin")
@doc("All orders, filtered by status and customer text or order id", tags=["admin"], query=AdminOrderQuery,
     response=AdminOrderPageSchema, errors=(401, 403, 422))
def admin_list_orders():
    args = load_query(AdminOrderQuery())
    return AdminOrderPageSchema().dump(services().orders.admin_list(
        args.get("status"), args.get("q", "").strip() or None, args["page"], args["per_page"]))


@bp.get("/admin/orders/<int:order_id>")
@requires("orders.read_admin")
@doc("Any order", tags=["admin"], response=AdminOrderSchema, errors=(401, 403, 404))
def admin_get_order(order_id: int):
    return AdminOrderSchema().dump(services().orders.admin_get(order_id))


@bp.post("/admin/orders/<int:order_id>/status")
@requires("orders.write_admin")
@doc("Move an order along the legal moves (paid > shipped > delivered; pending/paid > cancelled; "
     "paid/shipped/delivered > refunded)", tags=["admin"], body=StatusInput, response=AdminOrderSchema,
     errors=(401, 403, 404, 409, 422))
def admin_set_status(order_id: int):
    args = load_json(StatusInput())
    return AdminOrderSchema().dump(services().orders.change_status(actor(), order_id, args["status"]))


@pages.get("/checkout")
def checkout_page():
    return render_template("checkout.html")


@pages.get("/orders/<int:order_id>/thanks")
def thanks_page(order_id: int):
    return render_template("thanks.html", order_id=order_id)
