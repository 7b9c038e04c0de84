"""Shipping methods by country, and what checkout needs from them and from tax rates: the shipping rule and
the tax rate of an order's country (the money itself is pricing.order_totals')."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from backend import errors
from backend.context import Actor
from backend.countries import country_code
from backend.db import Connection
from backend.repositories.shipping import ShippingRepository
from backend.repositories.tax import TaxRepository
from backend.schemas.shipping import EVERYWHERE, method_problems, normal_countries
from backend.services import audit
from backend.services.base import Service, found, held
from backend.services.pricing import FLAT_SHIPPING, ZERO, ShippingRule

FIELDS = ("name", "price", "free_from", "countries", "min_days", "max_days")
NO_METHOD_HERE = "This shipping method does not ship to that country."
NO_METHODS = "No shipping methods are set up; leave shipping_method_id out."
UNKNOWN_COUNTRY = "We do not recognise this country. Use a two-letter country code such as GB."


class ShippingService(Service):
    def list_methods(self) -> list[dict[str, Any]]:
        """Every method, by id (a shop has a handful: not paged)."""
        with self.db.uow() as uow:
            return ShippingRepository(uow.conn).list_methods()

    def get_method(self, method_id: int) -> dict[str, Any]:
        """One method; raises NotFound."""
        with self.db.uow() as uow:
            row = found(ShippingRepository(uow.conn).get_method(method_id), "No such shipping method.")
        return row

    def methods_for_country(self, country: str) -> list[dict[str, Any]]:
        """The methods serving a country (its code or "*"), cheapest first, then by id."""
        with self.db.uow() as uow:
            return ShippingRepository(uow.conn).list_for_country(country)

    def create_method(self, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
        """Add a method; raises ValidationFailed."""
        method: dict[str, Any] = {name: values.get(name) for name in FIELDS}
        method["countries"] = normal_countries(method["countries"])
        with self.db.uow() as uow:
            repo = ShippingRepository(uow.conn)
            method_id = repo.add_method(method)
            repo.set_countries(method_id, method["countries"])
            audit.record(uow, actor, "shipping_method.created", "shipping_method", method_id, method)
            row = held(repo.get_method(method_id))
            uow.commit()
        return row

    def update_method(self, actor: Actor, method_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some fields (the result must still be a valid method); raises NotFound, ValidationFailed."""
        with self.db.uow() as uow:
            repo = ShippingRepository(uow.conn)
            before = found(repo.get_method(method_id, lock="update"), "No such shipping method.")
            method = {name: changes.get(name, before[name]) for name in FIELDS}
            method["countries"] = normal_countries(method["countries"])
            problems = method_problems(method)
            if problems:
                raise errors.ValidationFailed(fields=problems)
            repo.update_method(method_id, method)
            if method["countries"] != before["countries"]:
                repo.set_countries(method_id, method["countries"])
            audit.record(uow, actor, "shipping_method.updated", "shipping_method", method_id, changes)
            row = held(repo.get_method(method_id))
            uow.commit()
        return row

    def delete_method(self, actor: Actor, method_id: int) -> None:
        """Erase a method (orders keep its name); raises NotFound."""
        with self.db.uow() as uow:
            repo = ShippingRepository(uow.conn)
            before = found(repo.get_method(method_id, lock="update"), "No such shipping method.")
            repo.remove_method(method_id)
            audit.record(uow, actor, "shipping_method.deleted", "shipping_method", method_id,
                         {"name": before["name"]})
            uow.commit()


# ---------------------------------------------------------------- what checkout asks of shipping and tax
@dataclass(frozen=True)
class Delivery:
    """How an order ships and is taxed: the rule for pricing.order_totals (None: not known yet), the method
    chosen (None: the flat rule, or none known yet), the tax rate (None: no country yet), and problems for
    the summary ({"code": "no_shipping_method"})."""
    rule: ShippingRule | None
    method: dict[str, Any] | None
    tax_rate: Decimal | None
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def method_brief(self) -> dict[str, Any] | None:
        return {"id": self.method["id"], "name": self.method["name"]} if self.method else None

    @property
    def order_fields(self) -> dict[str, Any]:
        """What the order row keeps of the method: its name outlives the method."""
        return {"shipping_method_id": self.method["id"] if self.method else None,
                "shipping_method_name": self.method["name"] if self.method else None}


def serves(method: dict[str, Any], country: str) -> bool:
    """True when the method ships to the country: it names it, or it names "*" (every country)."""
    return EVERYWHERE in method["countries"] or country in method["countries"]


def method_rule(method: dict[str, Any]) -> ShippingRule:
    """What the method charges, as pricing.order_totals takes it."""
    return ShippingRule(price=method["price"], free_from=method["free_from"])


def _bad_method(message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(fields={"shipping_method_id": [message]})


def flat_delivery(method_id: int | None, rate: Decimal | None) -> Delivery:
    """A shop without shipping methods: the flat rule; naming a method is a mistake (ValidationFailed)."""
    if method_id is not None:
        raise _bad_method(NO_METHODS)
    return Delivery(FLAT_SHIPPING, None, rate)


def chosen_delivery(method: dict[str, Any] | None, country: str | None, rate: Decimal | None) -> Delivery:
    """The method a shopper named (its row, None when no method has that id), when it ships to country (None:
    not known yet, so any); raises ValidationFailed naming shipping_method_id."""
    if method is None:
        raise _bad_method("No such shipping method.")
    if country and not serves(method, country):
        raise _bad_method(NO_METHOD_HERE)
    return Delivery(method_rule(method), method, rate)


def cheapest_delivery(serving: list[dict[str, Any]], rate: Decimal | None) -> Delivery:
    """The first of the methods serving a country (ShippingRepository.list_for_country lists them cheapest
    first), or no rule and the no_shipping_method problem when none serves it."""
    if not serving:
        return Delivery(None, None, rate, [{"code": "no_shipping_method"}])
    return Delivery(method_rule(serving[0]), serving[0], rate)


def summary_delivery(conn: Connection, country: str | None, method_id: int | None) -> Delivery:
    """Shipping and tax for GET /checkout/summary (country a known code or None); raises ValidationFailed
    naming shipping_method_id for a method that is unknown, does not serve the country, or when none exist."""
    repo = ShippingRepository(conn)
    rate = _tax_rate(conn, country) if country else None
    if not repo.exists_methods():
        return flat_delivery(method_id, rate)
    if method_id is not None:
        return chosen_delivery(repo.get_method(method_id), country, rate)
    if not country:
        return Delivery(None, None, rate)
    return cheapest_delivery(repo.list_for_country(country), rate)


def order_delivery(conn: Connection, address: dict[str, Any], address_field: str, method_id: int | None) -> Delivery:
    """Shipping and tax for an order to this address, inside its transaction; raises ValidationFailed naming
    address_field when the address's country is unknown and methods or rates exist, or shipping_method_id.

    The method row is read under a shared lock: it cannot change or go before the order naming it commits."""
    repo = ShippingRepository(conn)
    country = country_code(address.get("country"))
    facts = repo.get_order_facts(country)  # the hot path: one round trip for what three reads would ask
    methods = bool(facts["methods"])
    if country is None and (methods or facts["rates"]):
        raise errors.ValidationFailed(fields={address_field: [UNKNOWN_COUNTRY]})
    rate = facts["rate"] if facts["rate"] is not None else ZERO
    if not methods:
        return flat_delivery(method_id, rate)
    if method_id is None:
        raise _bad_method("Choose a shipping method for this country.")
    return chosen_delivery(repo.get_method(method_id, lock="share"), country, rate)


def _tax_rate(conn: Connection, country: str) -> Decimal:
    """The country's rate, 0 where none is set."""
    rate = TaxRepository(conn).get_rate_for_country(country)
    return rate if rate is not None else ZERO


def charge_lines(order: dict[str, Any], prices_include_tax: bool) -> list[str]:
    """The confirmation email's shipping and tax lines: "Shipping (Standard): 4.99", then "Tax (20.00%): 18.33"
    when tax is added or "Includes tax (20.00%): 18.33" when prices contain it (no tax line at a zero rate)."""
    method = order.get("shipping_method")
    lines = [f"Shipping ({method['name']}): {order['shipping']}" if method else f"Shipping: {order['shipping']}"]
    rate = order.get("tax_rate")
    if rate:
        label = "Includes tax" if prices_include_tax else "Tax"
        lines.append(f"{label} ({rate}%): {order['tax_total']}")
    return lines
