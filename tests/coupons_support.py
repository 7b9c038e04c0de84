"""Test data for the coupon tests: coupons made through the service, with unique codes."""
from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from backend.context import SYSTEM
from backend.services.payments import TestGateway
from tests.conftest import uid


def add_coupon(services, percent: str | None = None, amount: str | None = None, **fields: Any) -> dict[str, Any]:
    """A coupon with a unique code (fields: min_subtotal as text, starts_at/ends_at naive UTC, max_uses, ...)."""
    values = {"code": f"T{uid()}".upper(), "percent_off": Decimal(percent) if percent else None,
              "amount_off": Decimal(amount) if amount else None, **fields}
    if values.get("min_subtotal") is not None:
        values["min_subtotal"] = Decimal(values["min_subtotal"])
    return services.coupons.create_coupon(SYSTEM, values)


def set_coupon(db, coupon_id: int, **changes: Any) -> None:
    """Change a coupon's columns behind the API (names are our own literals)."""
    for column, value in changes.items():
        assert column in {"times_used", "is_active", "ends_at", "starts_at", "min_subtotal"}
        with db.cursor() as cur:
            cur.execute(f"UPDATE coupons SET {column} = %s WHERE id = %s", (value, coupon_id))


def times_used(db, coupon_id: int) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT times_used FROM coupons WHERE id = %s", (coupon_id,))
        return cur.fetchone()["times_used"]


def apply(client, code: str, headers: dict | None = None):
    return client.post("/api/v1/cart/coupon", json={"code": code}, headers=headers or {})


class CountingGateway(TestGateway):
    """The test gateway, counting authorizations and voids: "nothing charged" is no authorization left standing."""

    def __init__(self) -> None:
        self.authorized = self.voided = 0
        self._lock = threading.Lock()  # counted from many checkouts at once

    def authorize(self, *args, **kwargs):
        authorization = super().authorize(*args, **kwargs)
        with self._lock:
            self.authorized += 1
        return authorization

    def void(self, authorization) -> None:
        with self._lock:
            self.voided += 1
