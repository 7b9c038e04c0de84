"""The admin panel's generic rows dump every column, money and times made JSON-safe, alone or in a page."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from backend.schemas.resources import RowPageSchema, RowSchema

ROW = {"id": 7, "name": "Lamp", "price": Decimal("12.5"), "created_at": datetime(2026, 1, 2, 3, 4, 5),
       "born_on": date(2026, 1, 2), "notes": None}
JSON = {"id": 7, "name": "Lamp", "price": "12.50", "created_at": "2026-01-02T03:04:05Z", "born_on": "2026-01-02",
        "notes": None}


def test_a_row_keeps_every_column_in_order():
    dumped = RowSchema().dump(ROW)
    assert dumped == JSON and list(dumped) == list(JSON)


def test_a_page_of_rows():
    page = {"items": [ROW], "page": 1, "per_page": 20, "total": 1, "pages": 1}
    assert RowPageSchema().dump(page) == {**page, "items": [JSON]}
