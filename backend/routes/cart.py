"""Cart endpoints (guest or user) and saved-for-later (user): /cart, /saved; the /cart page.

A guest's cart is found by a random token in the HttpOnly SameSite=Lax cookie sw_cart (only its
SHA-256 is stored); the cookie is set on the first add and removed once the cart is merged at login.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from backend.openapi import doc
from backend.routes import load_json, load_query, services
from backend.routes.guard import current_user, login_required
from backend.schemas.cart import CartItemInput, CartSchema, QuantityInput, SavedPageSchema
from backend.schemas.common import PageQuery
from backend.schemas.coupons import CouponCodeInput
from backend.schemas.variants import VariantRefQuery
from backend.services.cart import CartAnswer, CartOwner

bp = Blueprint("cart", __name__)
pages = Blueprint("cart_pages", __name__)

CART_COOKIE = "sw_cart"
CART_COOKIE_DAYS = 30
_TOKEN_LENGTHS = range(32, 201)


def guest_token() -> str | None:
    """The guest cart's token from the sw_cart cookie (None when missing or not one of ours)."""
    token = request.cookies.get(CART_COOKIE)
    return token if token and len(token) in _TOKEN_LENGTHS else None


def drop_cart_cookie(response: Response) -> Response:
    """Tell the browser to forget its guest cart (it joined the user's cart)."""
    response.delete_cookie(CART_COOKIE, path="/", samesite="Lax")
    return response


def _owner() -> CartOwner:
    """Whose cart this request means: the user's (a guest cookie still sent joins it), else the cookie's guest."""
    user = current_user(required=False)
    return CartOwner(user_id=user["id"] if user else None, guest_token=guest_token())


def _variant_id() -> int | None:
    """The line's variant (query variant_id); None: the line of a product without variants."""
    return load_query(VariantRefQuery()).get("variant_id")


def _answer(answer: CartAnswer, status: int = 200) -> Response:
    """The cart (or 204 when the use case answers none), with the sw_cart cookie set or dropped as it says."""
    if answer.cart is None:
        response = Response(status=204)
    else:
        response = jsonify(CartSchema().dump(answer.cart))
        response.status_code = status
        if status == 201:
            response.headers["Location"] = "/api/v1/cart"
    if answer.new_guest_token:
        response.set_cookie(CART_COOKIE, answer.new_guest_token, max_age=CART_COOKIE_DAYS * 86400, path="/",
                            httponly=True, samesite="Lax", secure=services().settings.cookie_secure)
    elif answer.guest_cart_merged:
        drop_cart_cookie(response)
    return response


@bp.get("/cart")
@doc("The cart with current prices and stock (guest or user)", tags=["cart"], response=CartSchema, auth="optional",
     errors=(403,))
def get_cart():
    return _answer(services().cart.get_cart(_owner()))


@bp.post("/cart/items")
@doc("Add a product to the cart (adds to a line already there)", tags=["cart"], body=CartItemInput,
     response=CartSchema, status=201, auth="optional", errors=(400, 403, 404, 409, 422))
def add_item():
    args = load_json(CartItemInput())
    return _answer(services().cart.add_item(_owner(), args["product_id"], args["quantity"], args.get("variant_id")),
                   201)


@bp.patch("/cart/items/<int:product_id>")
@doc("Set a line's quantity; 0 removes it (query variant_id: the line of that variant)", tags=["cart"],
     body=QuantityInput, query=VariantRefQuery, response=CartSchema, auth="optional",
     errors=(400, 403, 404, 409, 422))
def set_quantity(product_id: int):
    variant_id = _variant_id()
    args = load_json(QuantityInput())
    return _answer(services().cart.set_quantity(_owner(), product_id, args["quantity"], variant_id))


@bp.delete("/cart/items/<int:product_id>")
@doc("Remove a line (query variant_id: the line of that variant)", tags=["cart"], query=VariantRefQuery,
     status=204, auth="optional", errors=(403, 404, 422))
def remove_item(product_id: int):
    return _answer(services().cart.remove_item(_owner(), product_id, _variant_id()))


@bp.delete("/cart")
@doc("Empty the cart", tags=["cart"], status=204, auth="optional", errors=(403,))
def clear_cart():
    return _answer(services().cart.clear(_owner()))


@bp.post("/cart/coupon")
@doc("Apply a coupon code (any case) to the cart, replacing one there; 422 coupon_invalid says why it does not "
     "apply, 409 coupon_exhausted when it is used up", tags=["cart"], body=CouponCodeInput, response=CartSchema,
     auth="optional", errors=(400, 403, 409, 422))
def apply_coupon():
    args = load_json(CouponCodeInput())
    return _answer(services().cart.apply_coupon(_owner(), args["code"]))


@bp.delete("/cart/coupon")
@doc("Take the coupon off the cart", tags=["cart"], status=204, auth="optional", errors=(403,))
def remove_coupon():
    return _answer(services().cart.remove_coupon(_owner()))


@bp.post("/cart/items/<int:product_id>/save")
@login_required
@doc("Move a cart line to the saved-for-later list (query variant_id: the line of that variant)", tags=["cart"],
     query=VariantRefQuery, response=CartSchema, errors=(401, 403, 404, 422))
def save_for_later(product_id: int):
    return _answer(services().cart.save_for_later(_owner(), product_id, _variant_id()))


@bp.get("/saved")
@login_required
@doc("The saved-for-later list", tags=["cart"], query=PageQuery, response=SavedPageSchema, errors=(401, 422))
def list_saved():
    args = load_query(PageQuery())
    return SavedPageSchema().dump(services().cart.list_saved(current_user()["id"], args["page"], args["per_page"]))


@bp.post("/saved/<int:product_id>/move-to-cart")
@login_required
@doc("Move a saved item back to the cart (capped at stock; query variant_id: the saved variant)", tags=["cart"],
     query=VariantRefQuery, response=CartSchema, errors=(401, 403, 404, 409, 422))
def move_to_cart(product_id: int):
    return _answer(services().cart.move_to_cart(_owner(), product_id, _variant_id()))


@bp.delete("/saved/<int:product_id>")
@login_required
@doc("Forget a saved item (query variant_id: the saved variant)", tags=["cart"], query=VariantRefQuery,
     status=204, errors=(401, 403, 404, 422))
def remove_saved(product_id: int):
    services().cart.remove_saved(current_user()["id"], product_id, _variant_id())
    return "", 204


@pages.get("/cart")
def cart_page():
    return render_template("cart.html")
