"""Cart endpoints (guest or user) and saved-for-later (user): /cart, /saved; the /cart page.

A guest's cart is found by a random token in the HttpOnly SameSite=Lax cookie sw_cart (only its
SHA-256 is stored); the cookie is set on the first add and removed once the cart is merged at login.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, render_template, request

from backend import errors
from backend.openapi import doc
from backend.routes import load_json, load_query, services
from backend.routes.guard import current_user, login_required
from backend.schemas.cart import CartItemInput, CartSchema, QuantityInput, SavedPageSchema
from backend.schemas.common import PageQuery
from backend.schemas.coupons import CouponCodeInput
from backend.schemas.variants import VariantRefQuery
from backend.services.cart import CartOwner
from backend.tokens import new_token

bp = Blueprint("cart", __name__)
pages = Blueprint("cart_pages", __name__)

CART_COOKIE = "sw_cart"
CART_COOKIE_DAYS = 30
_TOKEN_LENGTHS = range(32, 201)


def _guest_token() -> str | None:
    token = request.cookies.get(CART_COOKIE)
    return token if token and len(token) in _TOKEN_LENGTHS else None


def merge_at_login(response: Response, user_id: int) -> Response:
    """Fold the request's guest cart (sw_cart cookie) into the user's cart and drop the cookie.

    Called by every login answer (accounts' logged_in_response); harmless when there is no guest cart.
    """
    token = _guest_token()
    if token:
        services().cart.merge_guest_cart(token, user_id)
    if CART_COOKIE in request.cookies:
        response.delete_cookie(CART_COOKIE, path="/", samesite="Lax")
    return response


def _owner(create: bool = False) -> CartOwner:
    """Whose cart this request means; a guest adding the first item gets a new token (set as a cookie)."""
    user = current_user(required=False)
    token = _guest_token()
    if user is not None:
        if token:
            # A login that did not go through merge_at_login (or an old cookie): merge now, once.
            services().cart.merge_guest_cart(token, user["id"])
            g.drop_cart_cookie = True
        return CartOwner(user_id=user["id"])
    if token is None and create:
        token = g.new_cart_token = new_token()
    return CartOwner(guest_token=token)


def _user_id() -> int:
    """For a @login_required route: the user's id, once this browser's guest cart (if any) is merged in."""
    user_id = _owner().user_id
    if user_id is None:
        raise errors.Unauthorized()
    return user_id


@bp.after_request
def _cart_cookie(response: Response) -> Response:
    if g.get("new_cart_token"):
        response.set_cookie(CART_COOKIE, g.new_cart_token, max_age=CART_COOKIE_DAYS * 86400, path="/",
                            httponly=True, samesite="Lax", secure=current_app.extensions["settings"].cookie_secure)
    elif g.get("drop_cart_cookie"):
        response.delete_cookie(CART_COOKIE, path="/", samesite="Lax")
    return response


def _variant_id() -> int | None:
    """The line's variant (query variant_id); None: the line of a product without variants."""
    return load_query(VariantRefQuery()).get("variant_id")


def _cart(cart: dict, status: int = 200) -> tuple:
    headers = {"Location": "/api/v1/cart"} if status == 201 else {}
    return CartSchema().dump(cart), status, headers


@bp.get("/cart")
@doc("The cart with current prices and stock (guest or user)", tags=["cart"], response=CartSchema, auth="optional",
     errors=(403,))
def get_cart():
    return _cart(services().cart.get_cart(_owner()))


@bp.post("/cart/items")
@doc("Add a product to the cart (adds to a line already there)", tags=["cart"], body=CartItemInput,
     response=CartSchema, status=201, auth="optional", errors=(400, 403, 404, 409, 422))
def add_item():
    args = load_json(CartItemInput())
    return _cart(services().cart.add_item(_owner(create=True), args["product_id"], args["quantity"],
                                          args.get("variant_id")), 201)


@bp.patch("/cart/items/<int:product_id>")
@doc("Set a line's quantity; 0 removes it (query variant_id: the line of that variant)", tags=["cart"],
     body=QuantityInput, query=VariantRefQuery, response=CartSchema, auth="optional",
     errors=(400, 403, 404, 409, 422))
def set_quantity(product_id: int):
    variant_id = _variant_id()
    args = load_json(QuantityInput())
    return _cart(services().cart.set_quantity(_owner(), product_id, args["quantity"], variant_id))


@bp.delete("/cart/items/<int:product_id>")
@doc("Remove a line (query variant_id: the line of that variant)", tags=["cart"], query=VariantRefQuery,
     status=204, auth="optional", errors=(403, 404, 422))
def remove_item(product_id: int):
    services().cart.remove_item(_owner(), product_id, _variant_id())
    return "", 204


@bp.delete("/cart")
@doc("Empty the cart", tags=["cart"], status=204, auth="optional", errors=(403,))
def clear_cart():
    services().cart.clear(_owner())
    return "", 204


@bp.post("/cart/coupon")
@doc("Apply a coupon code (any case) to the cart, replacing one there; 422 coupon_invalid says why it does not "
     "apply, 409 coupon_exhausted when it is used up", tags=["cart"], body=CouponCodeInput, response=CartSchema,
     auth="optional", errors=(400, 403, 409, 422))
def apply_coupon():
    args = load_json(CouponCodeInput())
    return _cart(services().cart.apply_coupon(_owner(create=True), args["code"]))


@bp.delete("/cart/coupon")
@doc("Take the coupon off the cart", tags=["cart"], status=204, auth="optional", errors=(403,))
def remove_coupon():
    services().cart.remove_coupon(_owner())
    return "", 204


@bp.post("/cart/items/<int:product_id>/save")
@login_required
@doc("Move a cart line to the saved-for-later list (query variant_id: the line of that variant)", tags=["cart"],
     query=VariantRefQuery, response=CartSchema, errors=(401, 403, 404, 422))
def save_for_later(product_id: int):
    return _cart(services().cart.save_for_later(_user_id(), product_id, _variant_id()))


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
    return _cart(services().cart.move_to_cart(_user_id(), product_id, _variant_id()))


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
