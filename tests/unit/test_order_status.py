"""The order state machine: every move between the six statuses, allowed or refused, and the SQL's copy."""
from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import pytest

from backend.order_status import (
    MOVES,
    RELEASES_COUPON,
    RESTOCKED,
    SOLD,
    STATUSES,
    can_move,
    sql_list,
)

SCHEMA = Path(__file__).resolve().parents[2] / "database" / "schema.sql"

ALLOWED = {
    ("pending", "cancelled"),
    ("paid", "shipped"), ("paid", "cancelled"), ("paid", "refunded"),
    ("shipped", "delivered"), ("shipped", "refunded"),
    ("delivered", "refunded"),
}


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_moves(current, target):
    assert can_move(current, target)


@pytest.mark.parametrize(("current", "target"), sorted(set(product(STATUSES, STATUSES)) - ALLOWED))
def test_every_other_move_is_refused(current, target):
    # 29 of the 36 pairs: staying put, going back, skipping shipped, and anything from cancelled or refunded.
    assert not can_move(current, target)


@pytest.mark.parametrize(("current", "target"), [
    ("paid", "PAID"), ("paid", "Shipped"), ("unknown", "cancelled"), ("", "cancelled"), ("paid", ""),
])
def test_unknown_statuses_never_move(current, target):
    assert not can_move(current, target)


def test_the_moves_name_only_known_statuses_and_final_ones_have_none():
    assert set(MOVES) | {t for targets in MOVES.values() for t in targets} == set(STATUSES)
    assert [s for s in STATUSES if s not in MOVES] == ["cancelled", "refunded"]


def test_side_effects_and_sales():
    assert {"cancelled"} == RESTOCKED
    assert {"cancelled", "refunded"} == RELEASES_COUPON
    assert SOLD == ("paid", "shipped", "delivered")
    # Every sale can still be given back.
    assert all(can_move(s, "refunded") for s in SOLD)


def test_sql_list_is_the_literal_the_statements_had():
    assert sql_list(SOLD) == "('paid', 'shipped', 'delivered')"
    assert sql_list(("pending",)) == "('pending')"


def test_schema_check_holds_the_same_statuses_in_the_same_order():
    check = re.search(r"CONSTRAINT ck_orders_status CHECK \(status IN \(([^)]*)\)\)", SCHEMA.read_text())
    assert check is not None
    assert tuple(value.strip("'") for value in check.group(1).split(",")) == STATUSES
