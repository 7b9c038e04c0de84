"""Checkout and orders: the summary, placing an order (idempotent, no overselling), history and states."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import Connection, UnitOfWork, is_conflict
from backend.order_status import CANCELLED, PAID, RELEASES_COUPON, RESTOCKED, can_move
from backend.repositories.accounts import AccountRepository
from backend.repositories.cart import CartRepository
from backend.repositories.mail import MailRepository
from backend.repositories.orders import OrderRepository
from backend.repositories.variants import VariantRepository
from backend.schemas.common import paged
from backend.services import coupons
from backend.services.audit import record
from backend.services.base import Service, found, held
from backend.services.cart import insufficient_stock, price_lines
from backend.services.payments import Authorization, Card, PaymentGateway, card_errors
from backend.services.pricing import FLAT_SHIPPING, MONEY_MAX, ZERO, ShippingRule, Totals, order_totals, too_large
from backend.services.shipping import Delivery, charge_lines, order_delivery, summary_delivery

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")


def item_title(item: dict[str, Any]) -> str:
    """An order line's name with its variant: "Shirt (M / Red)"."""
    return f"{item['name']} ({item['variant_label']})" if item.get("variant_label") else item["name"]


def present_order(row: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """An order row (with payment and user columns) and its items as the docs/api.md order object."""
    payment = ({"brand": row["payment_brand"], "last4": row["payment_last4"]}
               if row.get("payment_brand") else None)
    return {
        "id": row["id"], "status": row["status"],
        "items": [{k: item.get(k) for k in ("product_id", "variant_id", "sku", "variant_label", "name", "unit_price",
                                            "quantity", "line_total")} for item in items],
        "subtotal": row["subtotal"], "discount_total": row["discount_total"], "shipping": row["shipping"],
        "total": row["total"], "currency": row["currency"],
        "coupon": {"code": row["coupon_code"], "amount": row["coupon_amount"]} if row.get("coupon_code") else None,
        "shipping_method": ({"id": row["shipping_method_id"], "name": row["shipping_method_name"]}
                            if row.get("shipping_method_name") else None),
        "tax_total": row.get("tax_total", ZERO), "tax_rate": row.get("tax_rate", ZERO),
        "prices_include_tax": bool(row.get("prices_include_tax", True)),
        "shipping_address": json.loads(row["shipping_address"]), "payment": payment,
        "created_at": row["created_at"], "updated_at": row["updated_at"],
        "user": {"id": row["user_id"], "email": row.get("user_email"), "username": row.get("user_username")},
    }


class OrderService(Service):
    def __init__(self, *args: Any, gateway: PaymentGateway) -> None:
        super().__init__(*args)
        self.gateway = gateway

    # ------------------------------------------------------------------ checkout summary
    def summary(self, user_id: int, country: str | None = None,
                shipping_method_id: int | None = None) -> dict[str, Any]:
        """The order as it would be placed now, shipped to country (a code) by that method (services.shipping
        says which applies), with the problems that would stop it. Raises ValidationFailed shipping_method_id."""
        with self.db.uow() as uow:
            repo = CartRepository(uow.conn)
            cart_id = repo.get_user_cart_id(user_id)
            cart = price_lines(uow.conn, repo.list_lines(cart_id) if cart_id else [], self.now())
            applied = coupons.for_cart(uow.conn, cart_id, cart, self.now())
            delivery = summary_delivery(uow.conn, country, shipping_method_id)
        figures = self._totals(cart, shipping=delivery.rule, tax_rate=delivery.tax_rate, coupon=applied.terms)
        problems = [{"product_id": line["product_id"], "code": line["problem"],
                     **({"variant_id": line["variant_id"]} if line["variant_id"] else {})}
                    for line in cart["items"] if line["problem"]]
        return {**cart, **self._totals_fields(figures), "currency": self.settings.store_currency,
                "prices_include_tax": self.settings.prices_include_tax,
                "coupon": applied.answer(figures), "shipping_method": delivery.method_brief,
                "problems": problems + applied.problems() + delivery.problems
                + ([{"code": "order_too_large"}] if too_large(figures) else [])}

    def _totals(self, cart: dict[str, Any], shipping: ShippingRule | None = FLAT_SHIPPING,
                tax_rate: Decimal | None = None,
                coupon: tuple[Decimal | None, Decimal | None] | None = None) -> Totals:
        """The cart's totals by the money rules (pricing.order_totals); cart discount_total is the offers'."""
        return order_totals(cart["subtotal"], cart["discount_total"], cart["item_count"], shipping=shipping,
                            tax_rate=tax_rate, prices_include_tax=self.settings.prices_include_tax,
                            coupon=coupon)

    @staticmethod
    def _totals_fields(totals: Totals) -> dict[str, Any]:
        """The figures an answer shows (the summary's and the order's)."""
        return {"subtotal": totals.subtotal, "discount_total": totals.discount_total, "shipping": totals.shipping,
                "tax_total": totals.tax_total, "tax_rate": totals.tax_rate, "total": totals.total}

    # ------------------------------------------------------------------ placing an order
    def place_order(self, actor: Actor, key: str, card: Card, address_id: int | None = None,
                    shipping_address: dict[str, Any] | None = None,
                    shipping_method_id: int | None = None) -> tuple[dict[str, Any], bool]:
        """Place the user's cart as a paid order; returns (order, created now).

        The same key with the same request answers the first order (created False). Raises
        ValidationFailed (card, address, shipping method), PaymentDeclined, Conflict cart_empty /
        insufficient_stock / idempotency_key_reused. A failure changes nothing: stock and cart stay as they were.
        """
        problems = card_errors(card, self.now())
        if problems:
            raise errors.ValidationFailed("The card details are not valid.", fields=problems)
        fingerprint = self._fingerprint(card, address_id, shipping_address, shipping_method_id)
        return self._place(actor, key, fingerprint, card, address_id, shipping_address, shipping_method_id)

    def _fingerprint(self, card: Card, address_id: int | None, address: dict[str, Any] | None,
                     shipping_method_id: int | None) -> str:
        # Keyed (HMAC), so the stored request hash cannot be brute-forced back into a card number.
        body = json.dumps({"address_id": address_id, "shipping_address": address,
                           "shipping_method_id": shipping_method_id, "card": [
            card.number, card.exp_month, card.exp_year, card.cvc, card.cardholder]}, sort_keys=True, default=str)
        return hmac.new(self.settings.secret_key.encode(), body.encode(), hashlib.sha256).hexdigest()

    def _place(self, actor: Actor, key: str, fingerprint: str, card: Card, address_id: int | None,
               shipping_address: dict[str, Any] | None, shipping_method_id: int | None) -> tuple[dict[str, Any], bool]:
        now, user_id = self.now(), actor.logged_in_id
        with self.db.uow() as uow:
            repo = OrderRepository(uow.conn)
            # Claimed first: concurrent repeats of this key wait here until this transaction ends.
            key_id = repo.add_idempotency_key(user_id, key, fingerprint, now)
            if key_id is None:
                return self._replay(repo, user_id, key, fingerprint), False
            # Locked before any plain read, so a second checkout of this cart (another key, another
            # tab) waits here and then reads the cart as the first one left it: empty.
            cart_repo = CartRepository(uow.conn)
            cart_row = cart_repo.get_user_cart_for_update(user_id)
            cart_id = cart_row["id"] if cart_row else None
            address = self._address(uow.conn, user_id, address_id, shipping_address)
            cart = price_lines(uow.conn, cart_repo.list_lines(cart_id) if cart_id else [], now)
            if cart_id is None or not cart["items"]:
                raise errors.Conflict("The cart is empty.", code="cart_empty")
            short = [line for line in cart["items"] if line["problem"]]
            if short:
                raise insufficient_stock(short, "Some products do not have enough stock.")
            # A coupon that no longer applies stops the order here, before the card is charged.
            applied = coupons.for_cart(uow.conn, cart_id, cart, now,
                                       has_coupon=bool(cart_row and cart_row["coupon_id"]))
            applied.raise_problem()
            # A bad country is named where it was given: the saved address, or the typed address's country.
            delivery = order_delivery(uow.conn, address, "address_id" if shipping_address is None
                                      else "shipping_address.country", shipping_method_id)
            totals = self._totals(cart, shipping=delivery.rule, tax_rate=delivery.tax_rate, coupon=applied.terms)
            if too_large(totals):
                raise errors.ValidationFailed(f"An order can come to at most {MONEY_MAX}; order fewer items.",
                                              code="order_too_large")
            # Once per key and request at the gateway: a rerun after a conflict (place_order is retried
            # whole), or the same key racing on another cluster node, gets the same authorization back.
            auth = self.gateway.authorize(card, totals.total, self.settings.store_currency, now,
                                          idempotency_key=f"order:{user_id}:{key}:{fingerprint[:32]}")
            try:
                order = self._record(uow, actor, key_id, cart_id, cart, totals, address, auth, now, applied,
                                     delivery)
                uow.commit()
            except BaseException as exc:
                # A conflict is rerun (or lost to a twin that committed with this same authorization).
                if not is_conflict(exc):
                    self.gateway.void(auth)
                raise
        return order, True

    def _record(self, uow: UnitOfWork, actor: Actor, key_id: int, cart_id: int, cart: dict[str, Any],
                totals: Totals, address: dict[str, Any], auth: Authorization,
                now: datetime, applied: coupons.CartCoupon, delivery: Delivery) -> dict[str, Any]:
        repo = OrderRepository(uow.conn)
        currency = self.settings.store_currency
        address_json = json.dumps(address, sort_keys=True)
        # coupon_id is set by coupons.claim, under the coupon's row lock.
        figures = {**self._totals_fields(totals), "coupon_id": None, "coupon_code": applied.code,
                   "coupon_amount": totals.coupon_amount, **delivery.order_fields,
                   "prices_include_tax": self.settings.prices_include_tax}
        order_id = repo.add_order(actor.logged_in_id, PAID, figures, currency, address_json, now)
        repo.add_payment(order_id, auth.gateway, auth.reference, auth.brand, auth.last4, totals.total, now)
        CartRepository(uow.conn).remove_lines(cart_id)
        coupons.leave_cart(uow.conn, applied, cart_id)
        repo.update_idempotency_order(key_id, order_id)
        row = {"id": order_id, "user_id": actor.user_id, "status": PAID, **figures, "currency": currency,
               "shipping_address": address_json, "created_at": now, "updated_at": now,
               "payment_brand": auth.brand, "payment_last4": auth.last4}
        order = present_order(row, cart["items"])
        # The address is read by the INSERT itself: no round trip to fetch the user for it.
        MailRepository(uow.conn).add_message_to_user(actor.logged_in_id, f"Your order #{order_id} is confirmed",
                                                     self._confirmation_text(order, cart["items"],
                                                                             figures["prices_include_tax"]))
        record(uow, actor, "order.placed", "order", order_id,
               {"total": str(totals.total), "items": cart["item_count"], "payment": auth.brand})
        # Stock last, in (product id, variant id) order: row locks are held only to the commit, and always
        # taken in one order so two checkouts cannot deadlock; a product's row before its variants' (as the
        # variant writes do). Items after it: their foreign key checks take shared locks on the product and
        # variant rows, which must not be held before our exclusive ones. The coupon's row after both: one
        # shared coupon is the hottest row of all (coupons.claim).
        lines = sorted(cart["items"], key=lambda line: (line["product_id"], line["variant_id"] or 0))
        short = [line for line in lines if not self._take_stock(uow.conn, line)]
        if short:
            raise insufficient_stock(short, "Some products sold out while you were checking out.")
        repo.add_items(order_id, lines)
        coupons.claim(uow.conn, applied, cart["subtotal"], order_id, actor.logged_in_id, now)
        return order

    @staticmethod
    def _take_stock(conn: Connection, line: dict[str, Any]) -> bool:
        """Take a line's units: the product's stock (for a product with variants, the sum of theirs), then the
        variant's, each by a conditional UPDATE under its row lock; False when either has too few left."""
        if not OrderRepository(conn).update_take_stock(line["product_id"], line["quantity"]):
            return False
        return not line["variant_id"] or VariantRepository(conn).update_take_stock(
            line["product_id"], line["variant_id"], line["quantity"])

    @staticmethod
    def _return_stock(conn: Connection, item: dict[str, Any]) -> None:
        """Put an item's units back: on its variant, and on the product's sum while the variant is still sold."""
        variants = VariantRepository(conn)
        variant = variants.get_variant(item["product_id"], item["variant_id"]) if item["variant_id"] else None
        if variant is None or not variant["is_archived"]:
            OrderRepository(conn).update_return_stock(item["product_id"], item["quantity"])
        if variant is not None:
            variants.update_return_stock(variant["id"], item["quantity"])

    @staticmethod
    def _address(conn: Connection, user_id: int, address_id: int | None,
                 shipping_address: dict[str, Any] | None) -> dict[str, Any]:
        if shipping_address is not None:
            return {k: shipping_address.get(k) or "" for k in ADDRESS_FIELDS}
        # The address book belongs to accounts; the order keeps a copy.
        saved = AccountRepository(conn).get_address(address_id, user_id) if address_id else None
        if saved is None:
            raise errors.ValidationFailed(fields={"address_id": ["No such address in your address book."]})
        return {k: saved[k] or "" for k in ADDRESS_FIELDS}

    def _replay(self, repo: OrderRepository, user_id: int, key: str, fingerprint: str) -> dict[str, Any]:
        claimed = repo.get_idempotency_key(user_id, key)
        if claimed is None or claimed["order_id"] is None:
            # Its holder rolled back between our wait and this read; the client may simply retry.
            raise errors.Conflict("That Idempotency-Key is in use; try again.", code="idempotency_key_in_use")
        if not hmac.compare_digest(claimed["request_hash"], fingerprint):
            raise errors.Conflict("That Idempotency-Key was used for a different request.",
                                  code="idempotency_key_reused")
        return self._load(repo, claimed["order_id"])

    @staticmethod
    def _confirmation_text(order: dict[str, Any], items: list[dict[str, Any]], prices_include_tax: bool = True) -> str:
        """The confirmation email: lines at the prices paid (with the list price where an offer cut it), then the
        figures in the money rules' order, each step on its own line, so they add up to the total (Discounts are the
        offers', the coupon has its own line, as the pages show them)."""
        lines = [f"- {i['quantity']} x {item_title(i)} at {i['unit_price']}"
                 + (f" (list price {i['price']})" if i["price"] != i["unit_price"] else "") + f" = {i['line_total']}"
                 for i in items]
        offers = order["discount_total"] - (order["coupon"]["amount"] if order["coupon"] else ZERO)
        return "\n".join([
            f"Thank you for your order #{order['id']}.", "", *lines, "",
            f"Subtotal at list prices: {order['subtotal']}", *([f"Discounts: -{offers}"] if offers else []),
            *coupons.confirmation_line(order),
            *charge_lines(order, prices_include_tax), f"Total: {order['total']} {order['currency']}",
            f"Paid with {order['payment']['brand']} ending {order['payment']['last4']}.",
        ])

    # ------------------------------------------------------------------ reading orders
    @staticmethod
    def _load(repo: OrderRepository, order_id: int) -> dict[str, Any]:
        row = found(repo.get_order(order_id), "No such order.")
        return present_order(row, repo.list_items([order_id]))

    @staticmethod
    def _with_items(repo: OrderRepository, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_order: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        for item in repo.list_items(list(by_order)):
            by_order[item["order_id"]].append(item)
        return [present_order(row, by_order[row["id"]]) for row in rows]

    def get_order(self, user_id: int, order_id: int) -> dict[str, Any]:
        """One of the user's orders; raises NotFound (also for another user's)."""
        with self.db.uow() as uow:
            order = self._load(OrderRepository(uow.conn), order_id)
        if order["user"]["id"] != user_id:
            raise errors.NotFound("No such order.")
        return order

    def list_orders(self, user_id: int, page: int, per_page: int) -> dict[str, Any]:
        """A page of the user's orders, newest first, each with its items (three queries per page)."""
        with self.db.uow() as uow:
            repo = OrderRepository(uow.conn)
            rows = repo.list_for_user(user_id, per_page, (page - 1) * per_page)
            total = repo.count_for_user(user_id)
            items = self._with_items(repo, rows)
        return paged(items, page, per_page, total)

    def admin_list(self, status: str | None, q: str | None, page: int, per_page: int) -> dict[str, Any]:
        """A page of all orders, newest first, filtered by status and by customer text or order id."""
        with self.db.uow() as uow:
            repo = OrderRepository(uow.conn)
            rows = repo.list_admin(status, q, per_page, (page - 1) * per_page)
            total = repo.count_admin(status, q)
            items = self._with_items(repo, rows)
        return paged(items, page, per_page, total)

    def admin_get(self, order_id: int) -> dict[str, Any]:
        """Any order; raises NotFound."""
        with self.db.uow() as uow:
            return self._load(OrderRepository(uow.conn), order_id)

    # ------------------------------------------------------------------ status changes
    def cancel_order(self, actor: Actor, order_id: int) -> dict[str, Any]:
        """The customer cancels their own pending or paid order; raises NotFound, Conflict illegal_status_change."""
        return self._move(actor, order_id, CANCELLED, owner_id=actor.user_id)

    def change_status(self, actor: Actor, order_id: int, status: str) -> dict[str, Any]:
        """Staff move an order along order_status.MOVES; raises NotFound, Conflict illegal_status_change."""
        return self._move(actor, order_id, status)

    def _move(self, actor: Actor, order_id: int, status: str, owner_id: int | None = None) -> dict[str, Any]:
        now = self.now()
        with self.db.uow() as uow:
            repo = OrderRepository(uow.conn)
            row = repo.get_status_for_update(order_id)
            if row is None or (owner_id is not None and row["user_id"] != owner_id):
                raise errors.NotFound("No such order.")
            if not can_move(row["status"], status):
                raise errors.Conflict(f"An order that is {row['status']} cannot become {status}.",
                                      code="illegal_status_change",
                                      extra={"from": row["status"], "to": status})
            items = repo.list_items([order_id])
            if status in RESTOCKED:
                for item in sorted(items, key=lambda i: (i["product_id"], i["variant_id"] or 0)):
                    self._return_stock(uow.conn, item)
            if status in RELEASES_COUPON:
                coupons.release(uow.conn, order_id)  # after the stock rows, as when ordering
            repo.update_status(order_id, status, now)
            record(uow, actor, "order.status_changed", "order", order_id, {"from": row["status"], "to": status})
            order = present_order(held(repo.get_order(order_id)), items)
            if order["user"]["email"]:
                MailRepository(uow.conn).add_message(
                    order["user"]["email"], f"Your order #{order_id} is now {status}",
                    f"Your order #{order_id} changed from {row['status']} to {status}.")
            uow.commit()
        return order
