"""Card checks without a gateway: Luhn, the card number rule, brand by prefix, expiry, and the test gateway."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from backend import errors
from backend.services.payments import (
    DECLINED_TEST_CARD,
    Card,
    TestGateway,
    card_brand,
    card_errors,
    card_expired,
    luhn_ok,
    valid_card_number,
)

NOW = datetime(2026, 6, 15, 12, 0)


@pytest.mark.parametrize("number", [
    "4111111111111111", "4012888888881881", "4000000000000002", "5555555555554444", "5105105105105100",
    "2223003122003222", "378282246310005", "371449635398431", "6011111111111117", "6011000990139424",
    "3530111333300000", "0", "00", "18", "79927398713",
])
def test_luhn_accepts(number):
    assert luhn_ok(number)


@pytest.mark.parametrize("number", [
    "4111111111111112", "4111111111111121", "5555555555554440", "378282246310006", "1", "79927398710",
    "",                      # no digits at all
    "4111 1111 1111 1111",   # separators are the schema's to strip, not Luhn's
    "４１１１１１１１１１１１１１１１",  # full-width digits: isdigit() says yes, a card number says no
    "411111111111111\u00b2",  # a superscript two
    "-4111111111111111", "+4111111111111111", "4111111111111111\n",
])
def test_luhn_refuses(number):
    assert not luhn_ok(number)


@pytest.mark.parametrize(("number", "valid"), [
    ("000000000000", True),          # 12 digits, the shortest
    ("00000000000", False),          # 11
    ("0000000000000000000", True),   # 19, the longest
    ("00000000000000000000", False),  # 20
    ("4111111111111111", True),
    ("4111111111111112", False),
    ("79927398713", False),          # Luhn-valid but too short
])
def test_valid_card_number_needs_length_and_luhn(number, valid):
    assert valid_card_number(number) is valid


@pytest.mark.parametrize(("number", "brand"), [
    ("4111111111111111", "visa"), ("4000000000000002", "visa"), ("4", "visa"),
    ("340000000000009", "amex"), ("378282246310005", "amex"),
    ("330000000000000", "card"), ("350000000000000", "card"), ("360000000000000", "card"),
    ("5100000000000008", "mastercard"), ("5555555555554444", "mastercard"),
    ("5000000000000009", "card"), ("5600000000000003", "card"),
    ("2221000000000009", "mastercard"), ("2720990000000007", "mastercard"), ("2500000000000001", "mastercard"),
    ("2220990000000000", "card"), ("2721000000000005", "card"),
    ("6011000990139424", "discover"), ("6500000000000002", "discover"),
    ("6440000000000000", "discover"), ("6490000000000000", "discover"),
    ("6430000000000000", "card"), ("6010000000000000", "card"), ("6600000000000000", "card"),
    ("3530111333300000", "card"),    # JCB is not told apart
    ("", "card"), ("2", "card"), ("5", "card"), ("22", "card"),
])
def test_brand_by_prefix(number, brand):
    assert card_brand(number) == brand


@pytest.mark.parametrize(("year", "month", "expired"), [
    (2026, 6, False),   # good to the end of its month
    (2026, 7, False), (2027, 1, False),
    (2026, 5, True), (2025, 12, True), (2025, 7, True),
])
def test_a_card_expires_after_its_month(year, month, expired):
    assert card_expired(year, month, NOW) is expired


def _card(number: str = "4111111111111111", year: int = 2030, month: int = 1) -> Card:
    return Card(number=number, exp_month=month, exp_year=year, cvc="123", cardholder="Ada Lovelace")


def test_card_errors_name_each_problem():
    assert card_errors(_card(), NOW) == {}
    assert card_errors(_card("4111111111111112", 2026, 5), NOW) == {
        "payment.card_number": ["This is not a valid card number."], "payment.exp_year": ["This card has expired."]}


def test_a_card_hides_its_number_and_cvc():
    card = _card()
    assert (card.brand, card.last4) == ("visa", "1111")
    assert "4111111111111111" not in repr(card) and "123" not in repr(card)


def test_the_test_gateway_approves_declines_and_is_idempotent():
    gateway = TestGateway()
    first = gateway.authorize(_card(), Decimal("9.99"), "USD", NOW, idempotency_key="k1")
    again = gateway.authorize(_card(), Decimal("9.99"), "USD", NOW, idempotency_key="k1")
    other = gateway.authorize(_card("5555555555554444"), Decimal("9.99"), "USD", NOW, idempotency_key="k2")
    assert first == again and first.reference.startswith("test_") and len(first.reference) == 29
    assert (other.brand, other.last4) != (first.brand, first.last4) and other.reference != first.reference
    with pytest.raises(errors.PaymentDeclined):
        gateway.authorize(_card(DECLINED_TEST_CARD), Decimal("1.00"), "USD", NOW, idempotency_key="k3")
    with pytest.raises(errors.ValidationFailed):
        gateway.authorize(_card(year=2026, month=5), Decimal("1.00"), "USD", NOW, idempotency_key="k4")
