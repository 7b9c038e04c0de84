"""SQL for tax rates: one per country."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from backend.repositories import Repository

_COLUMNS = "id, country, rate, created_at, updated_at"
# Every rate, by country.
LIST = f"SELECT {_COLUMNS} FROM tax_rates ORDER BY country"
# One rate.
GET = f"SELECT {_COLUMNS} FROM tax_rates WHERE id = %s"
# One rate locked for a change.
GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM tax_rates WHERE id = %s FOR UPDATE"
# A country's rate (the unique key makes it one).
GET_RATE_FOR_COUNTRY = "SELECT rate FROM tax_rates WHERE country = %s"
# Whether any rate exists: with one, an order's country must be known (read in shipping's GET_ORDER_FACTS).
EXISTS_ANY = "SELECT EXISTS(SELECT 1 FROM tax_rates) AS n"
# A new rate.
ADD = "INSERT INTO tax_rates (country, rate) VALUES (%s, %s)"
# Replace a rate's fields (the service merges a PATCH first).
UPDATE = "UPDATE tax_rates SET country = %s, rate = %s WHERE id = %s"
# Erase a rate.
REMOVE = "DELETE FROM tax_rates WHERE id = %s"


class TaxRepository(Repository):
    def list_rates(self) -> list[dict[str, Any]]:
        return self._all(LIST)

    def get_rate(self, rate_id: int, lock: bool = False) -> dict[str, Any] | None:
        return self._one(GET_FOR_UPDATE if lock else GET, (rate_id,))

    def get_rate_for_country(self, country: str) -> Decimal | None:
        return self._scalar(GET_RATE_FOR_COUNTRY, (country,))

    def add_rate(self, country: str, rate: Decimal) -> int | None:
        """The new rate's id, or None when the country has one already (the unique key decides, race or not)."""
        return self._unless_duplicate(lambda: self._insert(ADD, (country, rate)))

    def update_rate(self, rate_id: int, country: str, rate: Decimal) -> int | None:
        """Rows changed, or None when another rate has that country."""
        return self._unless_duplicate(lambda: self._change(UPDATE, (country, rate, rate_id)))

    def remove_rate(self, rate_id: int) -> int:
        return self._change(REMOVE, (rate_id,))

