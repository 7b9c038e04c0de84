"""Product variants: options (names and values, in the order names were first used), SKUs, stock and prices.

A product has variants when it has at least one active (not archived) variant. Then the storefront shows
its lowest variant price and the sum of its variants' stock (kept in products.variant_price and
products.stock by every write here, in the write's own transaction), and its cart lines name a variant.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import Connection, UnitOfWork
from backend.repositories.products import ProductRepository
from backend.repositories.variants import VariantRepository
from backend.services import audit
from backend.services.base import Service, found, held
from backend.services.listing_cache import ListingCache
from backend.services.pricing import price_variants, refresh_current_prices

LABEL_SEPARATOR = " / "


# ---------------------------------------------------------------- pure rules (unit tested)
def options_key(options: dict[str, str]) -> str:
    """The identity of a combination: names and values compared without case, whatever their order."""
    pairs = sorted((name.casefold(), value.casefold()) for name, value in options.items())
    return hashlib.sha256("\x1e".join(f"{n}\x1f{v}" for n, v in pairs).encode()).hexdigest()


def variant_label(values: Iterable[str]) -> str:
    """A variant's values joined in the product's option order: "M / Red"."""
    return LABEL_SEPARATOR.join(values)


def same_names(a: Iterable[str], b: Iterable[str]) -> bool:
    return {n.casefold() for n in a} == {n.casefold() for n in b}


def product_options(variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{name, values}] from variants (in id order, each with an ordered "options" dict): names in the
    product's option order, each name's values in the order variants first used them."""
    found: dict[str, list[str]] = {}
    for variant in sorted(variants, key=lambda v: v["id"]):
        for name, value in variant["options"].items():
            values = found.setdefault(name, [])
            if value not in values:
                values.append(value)
    return [{"name": name, "values": values} for name, values in found.items()]


def attach_options(variants: list[dict[str, Any]], value_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each variant its options dict and label from (variant_id, name, value) rows in option order."""
    by_variant: dict[int, dict[str, str]] = {}
    for row in value_rows:
        by_variant.setdefault(row["variant_id"], {})[row["name"]] = row["value"]
    for variant in variants:
        variant["options"] = by_variant.get(variant["id"], {})
        variant["variant_label"] = variant_label(variant["options"].values())
    return variants


def label_lines(conn: Connection, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give cart, saved or order lines with a variant_id their variant_label ("M / Red"); None for the others."""
    ids = sorted({line["variant_id"] for line in lines if line.get("variant_id")})
    labels = {v["id"]: v["variant_label"] for v in attach_options(
        [{"id": i} for i in ids], VariantRepository(conn).list_values(ids))}
    for line in lines:
        line["variant_label"] = labels.get(line.get("variant_id")) if line.get("variant_id") else None
    return lines


def load_variants(conn: Connection, product_ids: list[int], now: datetime) -> list[dict[str, Any]]:
    """Active variants of these products with options, label and prices (their product's offers applied)."""
    repo = VariantRepository(conn)
    variants = repo.list_for_products(product_ids)
    attach_options(variants, repo.list_values([v["id"] for v in variants]))
    return price_variants(conn, variants, now)


def update_variant_summary(conn: Connection, product_id: int) -> None:
    """Store the product's lowest variant list price and stock sum (its row is locked by the caller)."""
    repo = VariantRepository(conn)
    summary = repo.get_summary(product_id)
    if summary["n"]:
        repo.update_product_summary(product_id, summary["low"], int(summary["total"]))
    elif held(ProductRepository(conn).get_product(product_id))["variant_price"] is not None:
        repo.update_product_summary(product_id, None, 0)  # its last variant went: a simple product, out of stock


def present_variant(variant: dict[str, Any], currency: str) -> dict[str, Any]:
    return {**variant, "in_stock": variant["stock"] > 0, "currency": currency}


class VariantService(Service):
    def __init__(self, *args: Any, cache: ListingCache) -> None:
        super().__init__(*args)
        self.cache = cache

    def list_variants(self, product_id: int) -> dict[str, Any]:
        """A visible product's options and active variants; raises NotFound."""
        with self.db.uow() as uow:
            found(ProductRepository(uow.conn).get_visible(product_id), "No such product.")
            variants = load_variants(uow.conn, [product_id], self.now())
        currency = self.settings.store_currency
        return {"options": product_options(variants), "variants": [present_variant(v, currency) for v in variants]}

    def get_variant(self, product_id: int, variant_id: int) -> dict[str, Any]:
        """One active variant of a visible product; raises NotFound."""
        found = [v for v in self.list_variants(product_id)["variants"] if v["id"] == variant_id]
        if not found:
            raise errors.NotFound("No such variant of this product.")
        return found[0]

    def create_variant(self, actor: Actor, product_id: int, values: dict[str, Any]) -> dict[str, Any]:
        """Add a variant; raises NotFound (product), ValidationFailed (options), Conflict (sku, combination)."""
        with self.db.uow() as uow:
            self._lock_product(uow, product_id)
            repo = VariantRepository(uow.conn)
            options = self._check_options(uow, product_id, values["options"], except_id=0)
            key = options_key(options)
            self._check_unique(repo, product_id, values["sku"], key, except_id=0)
            variant_id = repo.add_variant(product_id, {**values, "options_key": key}, self.now())
            repo.add_values(variant_id, self._option_ids(repo, product_id, options))
            self._after_write(uow, product_id)
            audit.record(uow, actor, "variant.create", "variant", variant_id,
                         {"product_id": product_id, "sku": values["sku"], "options": options,
                          "price": values.get("price"), "stock": values["stock"]})
            variant = self._load(uow, product_id, variant_id)
            uow.commit()
        self.cache.clear()
        return variant

    def update_variant(self, actor: Actor, product_id: int, variant_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a variant's sku, options, price (None: the product's) or stock; raises NotFound,
        ValidationFailed (options), Conflict (sku, combination)."""
        with self.db.uow() as uow:
            self._lock_product(uow, product_id)
            repo = VariantRepository(uow.conn)
            before = self._active(repo, product_id, variant_id)
            changes = dict(changes)
            options = changes.pop("options", None)
            if options is not None:
                options = self._check_options(uow, product_id, options, except_id=variant_id)
                changes["options_key"] = options_key(options)
            self._check_unique(repo, product_id, changes.get("sku"), changes.get("options_key"), except_id=variant_id)
            changed = {k: v for k, v in changes.items() if k == "options_key" or before.get(
                "own_price" if k == "price" else k) != v}
            repo.update_variant(variant_id, changed, self.now())
            if options is not None:
                repo.remove_values(variant_id)
                repo.add_values(variant_id, self._option_ids(repo, product_id, options))
            self._after_write(uow, product_id)
            details = {k: v for k, v in changed.items() if k != "options_key"}
            if options is not None:
                details["options"] = options
            audit.record(uow, actor, "variant.update", "variant", variant_id, {"product_id": product_id, **details})
            variant = self._load(uow, product_id, variant_id)
            uow.commit()
        self.cache.clear()
        return variant

    def delete_variant(self, actor: Actor, product_id: int, variant_id: int) -> str:
        """Erase a variant, or archive it when it is in orders; returns deleted/archived; raises NotFound."""
        with self.db.uow() as uow:
            self._lock_product(uow, product_id)
            repo = VariantRepository(uow.conn)
            self._active(repo, product_id, variant_id)
            if repo.exists_in_orders(variant_id):
                repo.archive_variant(variant_id, self.now())
                outcome = "archived"
            else:
                repo.remove_variant(variant_id)
                outcome = "deleted"
            self._after_write(uow, product_id)
            audit.record(uow, actor, f"variant.{'archive' if outcome == 'archived' else 'delete'}", "variant",
                         variant_id, {"product_id": product_id})
            uow.commit()
        self.cache.clear()
        return outcome

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _lock_product(uow: UnitOfWork, product_id: int) -> dict[str, Any]:
        # The product row first, always: checkouts take it before its variants too (one lock order).
        product = found(ProductRepository(uow.conn).get_product(product_id, lock=True), "No such product.")
        return product

    @staticmethod
    def _active(repo: VariantRepository, product_id: int, variant_id: int) -> dict[str, Any]:
        variant = repo.get_variant(product_id, variant_id, lock=True)
        if variant is None or variant["is_archived"]:
            raise errors.NotFound("No such variant of this product.")
        return variant

    def _check_options(self, uow: UnitOfWork, product_id: int, options: dict[str, str],
                       except_id: int) -> dict[str, str]:
        """The options with names spelled as the product first used them (and values likewise), in the
        product's option order; ValidationFailed unless they name the same options as its other active variants."""
        others = [v for v in load_variants(uow.conn, [product_id], self.now()) if v["id"] != except_id]
        if others and not same_names(options, others[0]["options"]):
            names = ", ".join(others[0]["options"])
            raise errors.ValidationFailed(fields={"options": [
                f"Must name the same options as the product's other variants: {names}."]})
        order = [o["name"] for o in VariantRepository(uow.conn).list_options(product_id)]
        known = {name.casefold(): name for name in order}
        spelled = {}
        for name, value in options.items():
            name = known.get(name.casefold(), name)
            values = {v["options"].get(name, "").casefold(): v["options"].get(name) for v in others}
            spelled[name] = values.get(value.casefold()) or value
        return dict(sorted(spelled.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))

    @staticmethod
    def _check_unique(repo: VariantRepository, product_id: int, sku: str | None, key: str | None,
                      except_id: int) -> None:
        if sku is not None and repo.exists_sku(sku, except_id):
            raise errors.Conflict("Another variant has that SKU.", code="duplicate_sku",
                                  fields={"sku": ["Another variant has that SKU."]})
        if key is not None and repo.exists_combination(product_id, key, except_id):
            raise errors.Conflict("Another variant of this product has those options.", code="duplicate_combination",
                                  fields={"options": ["Another variant of this product has those options."]})

    @staticmethod
    def _option_ids(repo: VariantRepository, product_id: int, options: dict[str, str]) -> list[tuple[int, str]]:
        """(option_id, value) pairs, adding the names the product has not used yet after its others."""
        ids = {o["name"].casefold(): o["id"] for o in repo.list_options(product_id)}
        pairs = []
        for name, value in options.items():
            if name.casefold() not in ids:
                ids[name.casefold()] = repo.add_option(product_id, name)
            pairs.append((ids[name.casefold()], value))
        return pairs

    def _after_write(self, uow: UnitOfWork, product_id: int) -> None:
        """Bring the product's summary (lowest price, stock sum), option names and cached prices up to date."""
        VariantRepository(uow.conn).remove_unused_options(product_id)
        update_variant_summary(uow.conn, product_id)
        refresh_current_prices(uow.conn, [product_id], self.now())

    def _load(self, uow: UnitOfWork, product_id: int, variant_id: int) -> dict[str, Any]:
        variant = next(v for v in load_variants(uow.conn, [product_id], self.now()) if v["id"] == variant_id)
        return present_variant(variant, self.settings.store_currency)
