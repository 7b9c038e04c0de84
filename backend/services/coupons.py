"""Coupon codes: staff manage them (CouponService); carts, the checkout summary and orders use them through the
functions below (for_cart, claim, release), so the order service only calls them at its own steps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import Connection
from backend.repositories.cart import CartRepository
from backend.repositories.coupons import CouponRepository
from backend.schemas.common import discount_problems, paged
from backend.schemas.coupons import normal_code
from backend.services import audit
from backend.services.base import Service, found, held
from backend.services.pricing import Totals

FIELDS = ("code", "percent_off", "amount_off", "min_subtotal", "starts_at", "ends_at", "max_uses",
          "max_uses_per_user", "is_active")
INVALID, EXHAUSTED = "coupon_invalid", "coupon_exhausted"


def invalid(message: str, field: str | None = "code") -> errors.ValidationFailed:
    """422 coupon_invalid; the message says why. Applying a code names the field sent (code); placing an order
    names none (its body has no coupon field: the cart's coupon is at fault)."""
    return errors.ValidationFailed(message, code=INVALID, fields={field: [message]} if field else None)


def exhausted(message: str) -> errors.Conflict:
    return errors.Conflict(message, code=EXHAUSTED)


def validity_problem(coupon: dict[str, Any], subtotal: Decimal, now: datetime) -> str | None:
    """Why the coupon does not apply to a cart with this subtotal now (its window, switch, minimum), or None."""
    if not coupon["is_active"]:
        return "This coupon is not active."
    if coupon["starts_at"] is not None and now < coupon["starts_at"]:
        return "This coupon is not valid yet."
    if coupon["ends_at"] is not None and now >= coupon["ends_at"]:
        return "This coupon has expired."
    if coupon["min_subtotal"] is not None and subtotal < coupon["min_subtotal"]:
        return f"This coupon needs a subtotal of at least {coupon['min_subtotal']}."
    return None


def uses_problem(repo: CouponRepository, coupon: dict[str, Any], user_id: int | None, lock: bool = False) -> str | None:
    """Why the coupon has no use left (for this user), or None. lock: count the user's uses with a locking read."""
    if coupon["max_uses"] is not None and coupon["times_used"] >= coupon["max_uses"]:
        return "This coupon has been used up."
    if user_id is not None and coupon["max_uses_per_user"] is not None and \
            repo.count_user_uses(coupon["id"], user_id, lock=lock) >= coupon["max_uses_per_user"]:
        return "You have used this coupon as many times as it allows."
    return None


def check(conn: Connection, coupon: dict[str, Any], subtotal: Decimal, user_id: int | None, now: datetime) -> None:
    """Raise 422 coupon_invalid or 409 coupon_exhausted when the coupon cannot be used now."""
    why = validity_problem(coupon, subtotal, now)
    if why:
        raise invalid(why)
    why = uses_problem(CouponRepository(conn), coupon, user_id)
    if why:
        raise exhausted(why)


def find(conn: Connection, code: str) -> dict[str, Any]:
    """The coupon a customer's code names (any case, spaces around ignored); raises 422 coupon_invalid."""
    normal = normal_code(code)
    coupon = CouponRepository(conn).get_by_code(normal) if normal else None
    if coupon is None:
        raise invalid("There is no coupon with that code.")
    return coupon


@dataclass(frozen=True)
class CartCoupon:
    """The coupon on a cart and whether it applies: problem None, else coupon_invalid / coupon_exhausted (it
    stopped applying since it was added: expired, the cart under its minimum, used up) with message saying why."""
    coupon: dict[str, Any] | None = None
    problem: str | None = None
    message: str | None = None

    @property
    def terms(self) -> tuple[Decimal | None, Decimal | None] | None:
        """(percent_off, amount_off) for pricing.order_totals; None when no coupon applies."""
        if self.coupon is None or self.problem:
            return None
        return self.coupon["percent_off"], self.coupon["amount_off"]

    def answer(self, totals: Totals) -> dict[str, Any] | None:
        """The coupon object of the cart and summary answers."""
        if self.coupon is None:
            return None
        return {"code": self.coupon["code"], "amount": totals.coupon_amount, "problem": self.problem,
                "message": self.message}

    def problems(self) -> list[dict[str, str]]:
        """The checkout summary's problems from the coupon (no product_id)."""
        return [{"code": self.problem}] if self.problem else []

    def raise_problem(self) -> None:
        """Placing an order: a coupon that does not apply stops it (422 coupon_invalid, 409 coupon_exhausted)."""
        if self.problem == INVALID:
            raise invalid(self.message or "This coupon no longer applies.", field=None)
        if self.problem == EXHAUSTED:
            raise exhausted(self.message or "This coupon has been used up.")

    @property
    def code(self) -> str | None:
        """The code an order keeps (None when no coupon applies)."""
        return self.coupon["code"] if self.coupon is not None and self.terms else None


def for_cart(conn: Connection, cart_id: int | None, cart: dict[str, Any], now: datetime,
             has_coupon: bool = True) -> CartCoupon:
    """The cart's coupon (cart priced by services.cart.price_lines) and whether it applies to it now.
    has_coupon False: the caller read the cart row and it names no coupon, so none is looked up."""
    coupon = CouponRepository(conn).get_for_cart(cart_id) if cart_id and has_coupon else None
    if coupon is None:
        return CartCoupon()
    why = validity_problem(coupon, cart["subtotal"], now)
    if why:
        return CartCoupon(coupon, INVALID, why)
    why = uses_problem(CouponRepository(conn), coupon, coupon["cart_user_id"])
    if why:
        return CartCoupon(coupon, EXHAUSTED, why)
    return CartCoupon(coupon)


def leave_cart(conn: Connection, applied: CartCoupon, cart_id: int) -> None:
    """The order uses the cart's coupon: the next cart starts without it. Done inside the order's transaction
    (its failure puts the coupon back) and before the hot rows are locked, so it adds nothing to their hold."""
    if applied.terms is not None:
        CartRepository(conn).update_coupon(cart_id, None)


def claim(conn: Connection, applied: CartCoupon, subtotal: Decimal, order_id: int, user_id: int,
          now: datetime) -> None:
    """Take one use of the order's coupon inside the order's transaction; raises 422 coupon_invalid (it changed
    or stopped applying since it was priced) or 409 coupon_exhausted.

    Called last before the commit, after the stock rows are locked and the order's items written: every order
    of a shared coupon queues on its row lock, so it is held for the claim's own statements and the commit
    only. The coupon row's lock comes after the stock rows' everywhere (cancel returns stock, then releases),
    so checkouts and cancels cannot deadlock. The order row is inserted without coupon_id and given it here:
    its foreign key check would otherwise take a shared lock on the coupon row early, and two buyers upgrading
    theirs would deadlock.
    """
    if applied.terms is None or applied.coupon is None:
        return
    repo = CouponRepository(conn)
    coupon = repo.get_coupon(applied.coupon["id"], lock=True)
    if coupon is None:
        raise invalid("This coupon no longer exists.", field=None)
    why = validity_problem(coupon, subtotal, now)
    if why:
        raise invalid(why, field=None)
    if (coupon["percent_off"], coupon["amount_off"]) != applied.terms:
        raise invalid("This coupon changed while you were checking out; please check your cart again.", field=None)
    # The per-user count is read after the lock, so two orders of one user are serialised here.
    why = uses_problem(repo, coupon, user_id, lock=True)
    if why:
        raise exhausted(why)
    if not repo.update_claim(coupon["id"]):
        raise exhausted("This coupon has been used up.")
    repo.add_use(order_id, coupon["id"], user_id, now)
    repo.update_order_coupon(order_id, coupon["id"])


def release(conn: Connection, order_id: int) -> None:
    """Give back the use an order took (it was cancelled or refunded); nothing when it used no coupon.
    Called after the stock is returned, so the coupon row is locked last, as when ordering."""
    repo = CouponRepository(conn)
    coupon_id = repo.get_use(order_id)
    if coupon_id is not None:
        repo.update_release(coupon_id)
        repo.remove_use(order_id)


def confirmation_line(order: dict[str, Any]) -> list[str]:
    """The order email's coupon line: "Coupon CODE: -X.XX" (none without a coupon)."""
    coupon = order.get("coupon")
    return [f"Coupon {coupon['code']}: -{coupon['amount']}"] if coupon else []


class CouponService(Service):
    def list_coupons(self, q: str | None = None, page: int = 1, per_page: int = 24) -> dict[str, Any]:
        """A page of coupons, newest first, those whose code contains q when given."""
        with self.db.uow() as uow:
            repo = CouponRepository(uow.conn)
            rows = repo.list_coupons(q or None, per_page, (page - 1) * per_page)
            total = repo.count_coupons(q or None)
        return paged([_present(row) for row in rows], page, per_page, total)

    def get_coupon(self, coupon_id: int) -> dict[str, Any]:
        """One coupon; raises NotFound."""
        with self.db.uow() as uow:
            row = found(CouponRepository(uow.conn).get_coupon(coupon_id), "No such coupon.")
        return _present(row)

    def create_coupon(self, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
        """Add a coupon; raises ValidationFailed, Conflict duplicate_code."""
        coupon = {name: values.get(name) for name in FIELDS}
        coupon["is_active"] = values.get("is_active", True)
        with self.db.uow() as uow:
            repo = CouponRepository(uow.conn)
            self._check(coupon)
            coupon_id = repo.add_coupon(coupon)
            if coupon_id is None:
                raise _duplicate()
            audit.record(uow, actor, "coupon.created", "coupon", coupon_id, coupon)
            row = held(repo.get_coupon(coupon_id))
            uow.commit()
        return _present(row)

    def update_coupon(self, actor: Actor, coupon_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some fields (the result must still be a valid coupon); raises NotFound, ValidationFailed,
        Conflict duplicate_code."""
        with self.db.uow() as uow:
            repo = CouponRepository(uow.conn)
            before = found(repo.get_coupon(coupon_id, lock=True), "No such coupon.")
            coupon = {name: changes.get(name, before[name]) for name in FIELDS}
            self._check(coupon)
            if repo.update_coupon(coupon_id, coupon) is None:
                raise _duplicate()
            audit.record(uow, actor, "coupon.updated", "coupon", coupon_id, changes)
            row = held(repo.get_coupon(coupon_id))
            uow.commit()
        return _present(row)

    def delete_coupon(self, actor: Actor, coupon_id: int) -> None:
        """Erase a coupon: orders keep its code and amount, carts lose it; raises NotFound."""
        with self.db.uow() as uow:
            repo = CouponRepository(uow.conn)
            before = found(repo.get_coupon(coupon_id, lock=True), "No such coupon.")
            repo.remove_coupon(coupon_id)
            audit.record(uow, actor, "coupon.deleted", "coupon", coupon_id, {"code": before["code"]})
            uow.commit()

    @staticmethod
    def _check(coupon: dict[str, Any]) -> None:
        """The rules across a whole coupon's fields (a PATCH's merged coupon too). A taken code is left to the
        unique key, which also catches two writers racing: the repository answers None then."""
        problems = discount_problems(coupon)
        if problems:
            raise errors.ValidationFailed(fields=problems)


def _present(row: dict[str, Any]) -> dict[str, Any]:
    """A coupon row as answers show it (the column is TINYINT: true/false on the wire, as the document says)."""
    return {**row, "is_active": bool(row["is_active"])}


def _duplicate() -> errors.Conflict:
    return errors.Conflict("A coupon with that code already exists.", code="duplicate_code",
                           fields={"code": ["A coupon with that code already exists."]})
