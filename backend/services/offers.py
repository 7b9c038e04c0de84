"""Offers: percent or amount off a product or a whole category subtree, inside a time window."""
from __future__ import annotations

from typing import Any

from backend import errors
from backend.context import Actor
from backend.db import UnitOfWork
from backend.repositories.categories import CategoryRepository
from backend.repositories.offers import OfferRepository
from backend.repositories.products import ProductRepository
from backend.schemas.common import paged
from backend.schemas.offers import offer_problems
from backend.services import audit
from backend.services.base import Service, found, held
from backend.services.listing_cache import ListingCache
from backend.services.pricing import discounted, offer_active, refresh_offer_targets

FIELDS = ("name", "percent_off", "amount_off", "product_id", "category_id", "starts_at", "ends_at")


class OfferService(Service):
    def __init__(self, *args: Any, cache: ListingCache) -> None:
        super().__init__(*args)
        # Cleared on every write: listings that matched by category or price may have changed.
        self.cache = cache

    def list_offers(self, page: int = 1, per_page: int = 24) -> dict[str, Any]:
        """A page of offers, newest first, each with whether it is active now."""
        with self.db.uow() as uow:
            repo = OfferRepository(uow.conn)
            rows = repo.list_offers(per_page, (page - 1) * per_page)
            total = repo.count_offers()
        return paged([self._present(r) for r in rows], page, per_page, total)

    def get_offer(self, offer_id: int) -> dict[str, Any]:
        """One offer; raises NotFound."""
        with self.db.uow() as uow:
            row = found(OfferRepository(uow.conn).get_offer(offer_id), "No such offer.")
        return self._present(row)

    def create_offer(self, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
        """Add an offer; raises ValidationFailed (field rules, unknown product or category)."""
        offer = {name: values.get(name) for name in FIELDS}
        with self.db.uow() as uow:
            self._check(uow, offer)
            repo = OfferRepository(uow.conn)
            offer_id = repo.add_offer(offer)
            refresh_offer_targets(uow.conn, [offer], self.now())
            audit.record(uow, actor, "offer.create", "offer", offer_id, offer)
            row = held(repo.get_offer(offer_id))
            uow.commit()
        self.cache.clear()
        return self._present(row)

    def update_offer(self, actor: Actor, offer_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some fields (the result must still be a valid offer); raises NotFound, ValidationFailed."""
        with self.db.uow() as uow:
            repo = OfferRepository(uow.conn)
            before = found(repo.get_offer(offer_id, lock=True), "No such offer.")
            offer = {name: changes.get(name, before[name]) for name in FIELDS}
            self._check(uow, offer)
            repo.update_offer(offer_id, offer)
            # Both the old and the new targets may have new prices now.
            refresh_offer_targets(uow.conn, [before, offer], self.now())
            audit.record(uow, actor, "offer.update", "offer", offer_id, changes)
            row = held(repo.get_offer(offer_id))
            uow.commit()
        self.cache.clear()
        return self._present(row)

    def delete_offer(self, actor: Actor, offer_id: int) -> None:
        """Erase an offer; raises NotFound."""
        with self.db.uow() as uow:
            repo = OfferRepository(uow.conn)
            before = found(repo.get_offer(offer_id, lock=True), "No such offer.")
            repo.remove_offer(offer_id)
            refresh_offer_targets(uow.conn, [before], self.now())
            audit.record(uow, actor, "offer.delete", "offer", offer_id, {"name": before["name"]})
            uow.commit()
        self.cache.clear()

    @staticmethod
    def _check(uow: UnitOfWork, offer: dict[str, Any]) -> None:
        """Every rule the offer breaks in one ValidationFailed: across fields, its target, the price it leaves."""
        problems = offer_problems(offer)
        if offer.get("product_id") is not None and "product_id" not in problems:
            product = ProductRepository(uow.conn).get_product(offer["product_id"])
            if product is None:
                problems["product_id"] = ["No such product."]
            else:
                # A product with variants: its cheapest variant is what the offer must leave a price for.
                lowest = product["variant_price"] if product["variant_price"] is not None else product["price"]
                if "percent_off" not in problems and discounted(lowest, offer) is None:
                    # Never free: a category offer skips such products (pricing), a product offer is refused.
                    field = "percent_off" if offer.get("percent_off") is not None else "amount_off"
                    problems[field] = [f"Must leave a price above zero; the product costs {lowest}."]
        if offer.get("category_id") is not None and \
                CategoryRepository(uow.conn).get_category(offer["category_id"]) is None:
            problems["category_id"] = ["No such category."]
        if problems:
            raise errors.ValidationFailed(fields=problems)

    def _present(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "active": offer_active(row, self.now())}
