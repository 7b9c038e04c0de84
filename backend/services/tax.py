"""Tax rates: one percentage per country (0 where none is set); checkout reads them through services.shipping."""
from __future__ import annotations

from typing import Any

from backend import errors
from backend.context import Actor
from backend.repositories.tax import TaxRepository
from backend.services import audit
from backend.services.base import Service, found, held

DUPLICATE = "That country has a tax rate already."


class TaxService(Service):
    def list_rates(self) -> list[dict[str, Any]]:
        """Every rate, by country (one per country: not paged)."""
        with self.db.uow() as uow:
            return TaxRepository(uow.conn).list_rates()

    def get_rate(self, rate_id: int) -> dict[str, Any]:
        """One rate; raises NotFound."""
        with self.db.uow() as uow:
            row = found(TaxRepository(uow.conn).get_rate(rate_id), "No such tax rate.")
        return row

    def create_rate(self, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
        """Add a country's rate; raises Conflict duplicate_country."""
        with self.db.uow() as uow:
            repo = TaxRepository(uow.conn)
            rate_id = repo.add_rate(values["country"], values["rate"])
            if rate_id is None:
                raise _duplicate()
            audit.record(uow, actor, "tax_rate.created", "tax_rate", rate_id, values)
            row = held(repo.get_rate(rate_id))
            uow.commit()
        return row

    def update_rate(self, actor: Actor, rate_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the country or the rate; raises NotFound, Conflict duplicate_country."""
        with self.db.uow() as uow:
            repo = TaxRepository(uow.conn)
            before = found(repo.get_rate(rate_id, lock=True), "No such tax rate.")
            if repo.update_rate(rate_id, changes.get("country", before["country"]),
                                changes.get("rate", before["rate"])) is None:
                raise _duplicate()
            audit.record(uow, actor, "tax_rate.updated", "tax_rate", rate_id, changes)
            row = held(repo.get_rate(rate_id))
            uow.commit()
        return row

    def delete_rate(self, actor: Actor, rate_id: int) -> None:
        """Erase a rate (that country's tax becomes 0); raises NotFound."""
        with self.db.uow() as uow:
            repo = TaxRepository(uow.conn)
            before = found(repo.get_rate(rate_id, lock=True), "No such tax rate.")
            repo.remove_rate(rate_id)
            audit.record(uow, actor, "tax_rate.deleted", "tax_rate", rate_id, {"country": before["country"]})
            uow.commit()


def _duplicate() -> errors.Conflict:
    return errors.Conflict(DUPLICATE, code="duplicate_country", fields={"country": [DUPLICATE]})
