"""Carts of guests and users, saved-for-later items, and the merge of a guest cart at login."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from backend import errors
from backend.db import Connection, UnitOfWork
from backend.repositories.cart import CartRepository
from backend.repositories.products import ProductRepository
from backend.repositories.variants import VariantRepository
from backend.schemas.common import paged
from backend.services import coupons
from backend.services.base import Service, found
from backend.services.pricing import ZERO, order_totals, price_products
from backend.services.variants import label_lines
from backend.tokens import hash_token, new_token


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a logged-in user, else a guest known by the random token of the sw_cart cookie. A user's
    request still sending a guest token (a cookie no login cleared) has that cart joined to the user's first."""
    user_id: int | None = None
    guest_token: str | None = None


@dataclass(frozen=True)
class CartAnswer:
    """A cart use case's answer: the cart (None when it answers nothing) and what becomes of the sw_cart cookie:
    set to new_guest_token (a guest's first cart), or dropped when guest_cart_merged (it joined the user's)."""
    cart: dict[str, Any] | None = None
    new_guest_token: str | None = None
    guest_cart_merged: bool = False


def line_problem(line: dict[str, Any]) -> str | None:
    """Why a line could not be bought as it stands: archived, out_of_stock, insufficient_stock or None."""
    if line["is_archived"]:
        return "archived"
    if line["stock"] <= 0:
        return "out_of_stock"
    if line["quantity"] > line["stock"]:
        return "insufficient_stock"
    return None


def price_lines(conn: Connection, lines: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Price cart lines with the current prices (offers included) and total them.

    subtotal is at list prices, discount_total what the offers take off, total = subtotal - discount_total.
    """
    price_products(conn, lines, now)  # a variant line's price is the variant's; its product's offers apply
    label_lines(conn, lines)
    subtotal = discount = ZERO
    for line in lines:
        line["line_total"] = line["unit_price"] * line["quantity"]
        line["problem"] = line_problem(line)
        line["in_stock"] = line["stock"] > 0
        subtotal += line["price"] * line["quantity"]
        discount += (line["price"] - line["unit_price"]) * line["quantity"]
    return {"items": lines, "subtotal": subtotal, "discount_total": discount, "total": subtotal - discount,
            "item_count": sum(line["quantity"] for line in lines)}


def insufficient_stock(lines: list[dict[str, Any]], message: str = "Not enough stock.") -> errors.Conflict:
    """The 409 insufficient_stock error naming each product (and variant), what was asked and what is left."""
    products = [{"product_id": line["product_id"], "requested": line["quantity"],
                 "available": 0 if line.get("is_archived") else max(0, line["stock"]),
                 # Only a variant line names its variant: the answer for other products is as it always was.
                 **({"variant_id": line["variant_id"]} if line.get("variant_id") else {})} for line in lines]
    return errors.Conflict(message, code="insufficient_stock", extra={"products": products})


class CartService(Service):
    # ------------------------------------------------------------------ reading
    def get_cart(self, owner: CartOwner) -> CartAnswer:
        """The owner's cart with current prices and stock (empty when there is none yet)."""
        with self.db.uow() as uow:
            _, cart_id, answer = self._claimed_cart(uow, owner)
            cart = self._present(uow.conn, cart_id)
            uow.commit()  # the merge of a guest cart, if there was one; a plain read commits nothing
        return replace(answer, cart=cart)

    def _present(self, conn: Connection, cart_id: int | None, cart: dict[str, Any] | None = None) -> dict[str, Any]:
        """The cart answer; cart: its lines already priced by price_lines in this use case (else priced here)."""
        if cart is None:
            lines = CartRepository(conn).list_lines(cart_id) if cart_id else []
            cart = price_lines(conn, lines, self.now())
        applied = coupons.for_cart(conn, cart_id, cart, self.now())
        # The money rules without shipping: the cart's total never includes it (nor tax).
        totals = order_totals(cart["subtotal"], cart["discount_total"], cart["item_count"], coupon=applied.terms,
                              shipping=None)
        return {**cart, "discount_total": totals.discount_total, "total": totals.total,
                "coupon": applied.answer(totals), "currency": self.settings.store_currency}

    def _claim(self, uow: UnitOfWork, owner: CartOwner, create: bool = False) -> tuple[CartOwner, CartAnswer]:
        """The owner a use case works for and the cookie part of its answer: a user's leftover guest cart joins
        theirs here, in the use case's own unit of work; a guest's first write (create) gets a new token."""
        if owner.user_id is not None:
            if not owner.guest_token:
                return owner, CartAnswer()
            self.merge_in(uow, owner.guest_token, owner.user_id)
            return owner, CartAnswer(guest_cart_merged=True)
        if owner.guest_token or not create:
            return owner, CartAnswer()
        token = new_token()
        return CartOwner(guest_token=token), CartAnswer(new_guest_token=token)

    def _claimed_cart(self, uow: UnitOfWork, owner: CartOwner) -> tuple[CartRepository, int | None, CartAnswer]:
        """The owner's cart id (None: none yet) after _claim, with the repository to change it through."""
        repo = CartRepository(uow.conn)
        owner, answer = self._claim(uow, owner)
        return repo, self._find_cart(repo, owner), answer

    def _cart_with_line(self, uow: UnitOfWork, owner: CartOwner, product_id: int,
                        variant_id: int | None) -> tuple[CartRepository, int, CartAnswer]:
        """_claimed_cart for a change of one line; raises NotFound when that line is not in the cart."""
        repo, cart_id, answer = self._claimed_cart(uow, owner)
        if not cart_id or not repo.get_quantity(cart_id, product_id, variant_id):
            raise errors.NotFound("That product is not in the cart.")
        return repo, cart_id, answer

    @staticmethod
    def _find_cart(repo: CartRepository, owner: CartOwner) -> int | None:
        if owner.user_id is not None:
            return repo.get_user_cart_id(owner.user_id)
        if owner.guest_token:
            return repo.get_guest_cart_id(hash_token(owner.guest_token))
        return None

    def _cart_for_writing(self, repo: CartRepository, owner: CartOwner) -> int:
        if owner.user_id is not None:
            return repo.add_user_cart(owner.user_id, self.now())
        if not owner.guest_token:
            raise errors.BadRequest("A guest cart needs its cookie.", code="cart_cookie_missing")
        return repo.add_guest_cart(hash_token(owner.guest_token), self.now())

    # ------------------------------------------------------------------ changing lines
    def add_item(self, owner: CartOwner, product_id: int, quantity: int,
                 variant_id: int | None = None) -> CartAnswer:
        """Add quantity to the (product, variant) line; raises NotFound (unknown or archived product),
        ValidationFailed variant_id (missing for a product with variants, not of this product, or given for
        one without), Conflict insufficient_stock."""
        with self.db.uow() as uow:
            repo = CartRepository(uow.conn)
            owner, answer = self._claim(uow, owner, create=True)
            item = self._item(uow.conn, product_id, variant_id)
            cart_id = self._cart_for_writing(repo, owner)
            wanted = repo.get_quantity(cart_id, product_id, variant_id) + quantity
            self._check_stock(item, wanted)
            repo.add_quantity(cart_id, product_id, quantity, self.now(), variant_id)
            cart = self._present(uow.conn, cart_id)
            uow.commit()
        return replace(answer, cart=cart)

    def set_quantity(self, owner: CartOwner, product_id: int, quantity: int,
                     variant_id: int | None = None) -> CartAnswer:
        """Set a line's quantity (0 removes it); raises NotFound (no such line), ValidationFailed variant_id
        (its variant is gone, or its product has variants now), Conflict insufficient_stock."""
        with self.db.uow() as uow:
            repo, cart_id, answer = self._cart_with_line(uow, owner, product_id, variant_id)
            if quantity == 0:
                repo.remove_line(cart_id, product_id, variant_id)
            else:
                self._check_stock(self._item(uow.conn, product_id, variant_id), quantity)
                repo.update_quantity(cart_id, product_id, quantity, variant_id)
            cart = self._present(uow.conn, cart_id)
            uow.commit()
        return replace(answer, cart=cart)

    def remove_item(self, owner: CartOwner, product_id: int, variant_id: int | None = None) -> CartAnswer:
        """Remove a line; raises NotFound when it is not in the cart."""
        with self.db.uow() as uow:
            repo, cart_id, answer = self._cart_with_line(uow, owner, product_id, variant_id)
            repo.remove_line(cart_id, product_id, variant_id)
            uow.commit()
        return answer

    def clear(self, owner: CartOwner) -> CartAnswer:
        """Empty the cart (nothing to do when there is none)."""
        return self._change_if_any(owner, CartRepository.remove_lines)

    def _change_if_any(self, owner: CartOwner, change: Callable[[CartRepository, int], object]) -> CartAnswer:
        """change(repo, cart_id) on the owner's cart in one unit of work; nothing to do when there is none."""
        with self.db.uow() as uow:
            repo, cart_id, answer = self._claimed_cart(uow, owner)
            if cart_id:
                change(repo, cart_id)
            uow.commit()
        return answer

    # ------------------------------------------------------------------ coupon
    def apply_coupon(self, owner: CartOwner, code: str) -> CartAnswer:
        """Put the coupon named by code on the cart (replacing one there); raises ValidationFailed coupon_invalid
        (unknown, inactive, outside its dates, the cart under its minimum), Conflict coupon_exhausted."""
        now = self.now()
        with self.db.uow() as uow:
            repo = CartRepository(uow.conn)
            owner, answer = self._claim(uow, owner, create=True)
            coupon = coupons.find(uow.conn, code)
            cart_id = self._cart_for_writing(repo, owner)
            priced = price_lines(uow.conn, repo.list_lines(cart_id), now)
            coupons.check(uow.conn, coupon, priced["subtotal"], owner.user_id, now)
            repo.update_coupon(cart_id, coupon["id"])
            cart = self._present(uow.conn, cart_id, priced)  # the lines are priced once
            uow.commit()
        return replace(answer, cart=cart)

    def remove_coupon(self, owner: CartOwner) -> CartAnswer:
        """Take the coupon off the cart (nothing to do when there is none)."""
        return self._change_if_any(owner, lambda repo, cart_id: repo.update_coupon(cart_id, None))

    @staticmethod
    def _product(conn: Connection, product_id: int) -> dict[str, Any]:
        return found(ProductRepository(conn).get_visible(product_id), "No such product.")

    def _item(self, conn: Connection, product_id: int, variant_id: int | None) -> dict[str, Any]:
        """What a line buys now: the product, or its variant; raises NotFound, ValidationFailed variant_id."""
        product = self._product(conn, product_id)
        if not product["has_variants"]:
            if variant_id is not None:
                raise errors.ValidationFailed(fields={"variant_id": ["This product has no variants."]})
            return {"product_id": product_id, "variant_id": None, "stock": product["stock"]}
        if variant_id is None:
            raise errors.ValidationFailed(fields={"variant_id": ["This product has variants: choose one."]})
        variant = VariantRepository(conn).get_variant(product_id, variant_id)
        if variant is None or variant["is_archived"]:
            raise errors.ValidationFailed(fields={"variant_id": ["No such variant of this product."]})
        return {"product_id": product_id, "variant_id": variant_id, "stock": variant["stock"]}

    @staticmethod
    def _check_stock(item: dict[str, Any], wanted: int) -> None:
        if wanted > item["stock"]:
            raise insufficient_stock([{**item, "quantity": wanted}], f"Only {item['stock']} in stock.")

    # ------------------------------------------------------------------ saved for later
    def save_for_later(self, owner: CartOwner, product_id: int, variant_id: int | None = None) -> CartAnswer:
        """Move a user's cart line to the saved list; raises NotFound when it is not in the cart."""
        user_id = self._user_of(owner)
        with self.db.uow() as uow:
            repo = CartRepository(uow.conn)
            _, answer = self._claim(uow, owner)
            cart_id = repo.get_user_cart_id(user_id)
            quantity = repo.get_quantity(cart_id, product_id, variant_id) if cart_id else 0
            if cart_id is None or not quantity:
                raise errors.NotFound("That product is not in the cart.")
            repo.remove_line(cart_id, product_id, variant_id)
            repo.add_saved(user_id, product_id, quantity, self.now(), variant_id)
            cart = self._present(uow.conn, cart_id)
            uow.commit()
        return replace(answer, cart=cart)

    def list_saved(self, user_id: int, page: int, per_page: int) -> dict[str, Any]:
        """A page of the user's saved items, most recent first, with current prices and stock."""
        with self.db.uow() as uow:
            repo = CartRepository(uow.conn)
            rows = repo.list_saved(user_id, per_page, (page - 1) * per_page)
            total = repo.count_saved(user_id)
            price_products(uow.conn, rows, self.now())
            label_lines(uow.conn, rows)
        currency = self.settings.store_currency
        items = [{**row, "currency": currency, "in_stock": row["stock"] > 0 and not row["is_archived"]}
                 for row in rows]
        return paged(items, page, per_page, total)

    def move_to_cart(self, owner: CartOwner, product_id: int, variant_id: int | None = None) -> CartAnswer:
        """Move a user's saved item back to the cart, capped at stock; raises NotFound, ValidationFailed
        variant_id, Conflict insufficient_stock."""
        user_id = self._user_of(owner)
        with self.db.uow() as uow:
            repo = CartRepository(uow.conn)
            _, answer = self._claim(uow, owner)
            saved = repo.get_saved_quantity(user_id, product_id, variant_id)
            if not saved:
                raise errors.NotFound("That product is not saved.")
            item = self._item(uow.conn, product_id, variant_id)
            cart_id = repo.add_user_cart(user_id, self.now())
            have = repo.get_quantity(cart_id, product_id, variant_id)
            quantity = min(saved, item["stock"] - have)
            if quantity <= 0:
                self._check_stock(item, have + saved)
            repo.add_quantity(cart_id, product_id, quantity, self.now(), variant_id)
            repo.remove_saved(user_id, product_id, variant_id)
            cart = self._present(uow.conn, cart_id)
            uow.commit()
        return replace(answer, cart=cart)

    @staticmethod
    def _user_of(owner: CartOwner) -> int:
        """The saved-for-later list is a user's: a guest has none."""
        if owner.user_id is None:
            raise errors.Unauthorized()
        return owner.user_id

    def remove_saved(self, user_id: int, product_id: int, variant_id: int | None = None) -> None:
        """Forget a saved item; raises NotFound."""
        with self.db.uow() as uow:
            if not CartRepository(uow.conn).remove_saved(user_id, product_id, variant_id):
                raise errors.NotFound("That product is not saved.")
            uow.commit()

    # ------------------------------------------------------------------ login
    def merge_in(self, uow: UnitOfWork, guest_token: str, user_id: int) -> None:
        """Fold the guest cart of guest_token into the user's (quantities added, capped at stock; its coupon unless
        the user's cart has one) and delete it, in the caller's unit of work: a login's, or that of a user's
        request still sending the guest cookie. Nothing to do when there is no such cart."""
        repo = CartRepository(uow.conn)
        # Locked, so a second merge of the same cookie waits and then finds the cart gone (no line added twice).
        guest_cart = repo.get_guest_cart_id(hash_token(guest_token), lock=True)
        if not guest_cart:
            return
        lines = repo.list_lines(guest_cart)
        guest_coupon = repo.get_coupon_id(guest_cart)
        if lines or guest_coupon:
            cart_id = repo.add_user_cart(user_id, self.now())
            # The guest's coupon comes along unless the user's cart has one of its own.
            if guest_coupon and not repo.get_coupon_id(cart_id):
                repo.update_coupon(cart_id, guest_coupon)
            for line in lines:
                have = repo.get_quantity(cart_id, line["product_id"], line["variant_id"])
                target = min(have + line["quantity"], line["stock"])
                if not line["is_archived"] and target > have:
                    repo.add_quantity(cart_id, line["product_id"], target - have, self.now(), line["variant_id"])
        repo.remove_cart(guest_cart)
