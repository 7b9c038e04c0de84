"""SQL for shipping methods and the countries each serves ("*": every country)."""
from __future__ import annotations

from typing import Any

from backend.repositories import Repository, placeholders, tax

_COLUMNS = "m.id, m.name, m.price, m.free_from, m.min_days, m.max_days, m.created_at, m.updated_at"
# Every method, by id.
LIST = f"SELECT {_COLUMNS} FROM shipping_methods m ORDER BY m.id"
# One method.
GET = f"SELECT {_COLUMNS} FROM shipping_methods m WHERE m.id = %s"
# One method locked for a change.
GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM shipping_methods m WHERE m.id = %s FOR UPDATE"
# One method held unchanged (and undeleted) until the order that names it commits.
GET_FOR_SHARE = f"SELECT {_COLUMNS} FROM shipping_methods m WHERE m.id = %s LOCK IN SHARE MODE"
# Whether any method exists: with none, the flat rule applies.
EXISTS_ANY = "SELECT EXISTS(SELECT 1 FROM shipping_methods) AS n"
# What an order's delivery needs of shipping and tax, in one round trip: whether any method and any rate exist,
# and the country's rate (NULL: none set, or no country); the statements each area reads these with, joined.
GET_ORDER_FACTS = f"SELECT ({EXISTS_ANY}) AS methods, ({tax.EXISTS_ANY}) AS rates, ({tax.GET_RATE_FOR_COUNTRY}) AS rate"
# The methods serving a country (its own code or "*"), cheapest first, then by id.
LIST_FOR_COUNTRY = f"""
SELECT {_COLUMNS} FROM shipping_methods m
WHERE EXISTS(SELECT 1 FROM shipping_method_countries c WHERE c.method_id = m.id AND c.country IN (%s, '*'))
ORDER BY m.price, m.id"""
# The countries of some methods.
LIST_COUNTRIES = "SELECT method_id, country FROM shipping_method_countries WHERE method_id IN ({ids}) ORDER BY country"
# A new method.
ADD = "INSERT INTO shipping_methods (name, price, free_from, min_days, max_days) VALUES (%s, %s, %s, %s, %s)"
# Replace every editable field of a method (the service merges a PATCH first).
UPDATE = "UPDATE shipping_methods SET name = %s, price = %s, free_from = %s, min_days = %s, max_days = %s WHERE id = %s"
# Erase a method (its countries go with it; orders keep its name, their shipping_method_id becomes NULL).
REMOVE = "DELETE FROM shipping_methods WHERE id = %s"
# Forget a method's countries before writing them again.
REMOVE_COUNTRIES = "DELETE FROM shipping_method_countries WHERE method_id = %s"
# A method's countries.
ADD_COUNTRIES = "INSERT INTO shipping_method_countries (method_id, country) VALUES (%s, %s)"


class ShippingRepository(Repository):
    def list_methods(self) -> list[dict[str, Any]]:
        return self._with_countries(self._all(LIST))

    def list_for_country(self, country: str) -> list[dict[str, Any]]:
        return self._with_countries(self._all(LIST_FOR_COUNTRY, (country,)))

    def get_method(self, method_id: int, lock: str = "") -> dict[str, Any] | None:
        """lock: "" (plain read), "update" (a change follows) or "share" (an order names it)."""
        sql = {"": GET, "update": GET_FOR_UPDATE, "share": GET_FOR_SHARE}[lock]
        row = self._one(sql, (method_id,))
        return self._with_countries([row])[0] if row else None

    def exists_methods(self) -> bool:
        return bool(self._scalar(EXISTS_ANY))

    def get_order_facts(self, country: str | None) -> dict[str, Any]:
        """{methods, rates: whether any exist (0/1), rate: the country's tax rate or None}."""
        return self._row(GET_ORDER_FACTS, (country,))

    def add_method(self, m: dict[str, Any]) -> int:
        return self._insert(ADD, (m["name"], m["price"], m["free_from"], m["min_days"], m["max_days"]))

    def update_method(self, method_id: int, m: dict[str, Any]) -> int:
        return self._change(UPDATE, (m["name"], m["price"], m["free_from"], m["min_days"], m["max_days"], method_id))

    def remove_method(self, method_id: int) -> int:
        return self._change(REMOVE, (method_id,))

    def set_countries(self, method_id: int, countries: list[str]) -> None:
        self._change(REMOVE_COUNTRIES, (method_id,))
        self._insert_many(ADD_COUNTRIES, [(method_id, country) for country in countries])

    def _with_countries(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add each method's sorted country list, in one query for all of them."""
        if not rows:
            return rows
        by_method: dict[int, list[str]] = {row["id"]: [] for row in rows}
        sql = LIST_COUNTRIES.format(ids=placeholders(by_method))
        for row in self._all(sql, tuple(by_method)):
            by_method[row["method_id"]].append(row["country"])
        return [{**row, "countries": by_method[row["id"]]} for row in rows]
