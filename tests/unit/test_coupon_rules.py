"""The coupon rules without a database: when a coupon applies, and how codes are read."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from backend.schemas.coupons import normal_code
from backend.services.coupons import validity_problem

NOW = datetime(2026, 11, 28, 12, 0, 0)


def _coupon(**fields):
    return {"is_active": True, "starts_at": None, "ends_at": None, "min_subtotal": None, **fields}


@pytest.mark.parametrize(("fields", "subtotal", "problem"), [
    ({}, Decimal("0.00"), None),
    ({"starts_at": NOW}, Decimal("1.00"), None),  # valid from its first second
    ({"starts_at": NOW + timedelta(seconds=1)}, Decimal("1.00"), "This coupon is not valid yet."),
    ({"ends_at": NOW + timedelta(seconds=1)}, Decimal("1.00"), None),
    ({"ends_at": NOW}, Decimal("1.00"), "This coupon has expired."),  # ends_at is the first second it is not
    ({"min_subtotal": Decimal("30.00")}, Decimal("30.00"), None),
    ({"min_subtotal": Decimal("30.00")}, Decimal("29.99"), "This coupon needs a subtotal of at least 30.00."),
    ({"is_active": False, "ends_at": NOW}, Decimal("1.00"), "This coupon is not active."),
])
def test_validity(fields, subtotal, problem):
    assert validity_problem(_coupon(**fields), subtotal, NOW) == problem


@pytest.mark.parametrize(("text", "code"), [
    ("summer-10", "SUMMER-10"), ("  Gift_2026\n", "GIFT_2026"), ("abc", "ABC"), ("x" * 40, "X" * 40),
    ("ab", None), ("x" * 41, None), ("two words", None), ("ÄBC", None), ("１２３", None), ("abc;", None), ("", None),
])
def test_codes_are_read_in_any_case_and_stored_upper_case(text, code):
    assert normal_code(text) == code
