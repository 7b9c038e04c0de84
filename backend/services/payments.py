"""Payment gateways behind one interface, and the built-in `test` gateway of docs/api.md.

A card's number and CVC live only in a Card object for the length of one request: they are never
stored, logged or put in an error message (Card's repr hides them). Only brand and last4 leave.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from backend import errors

DECLINED_TEST_CARD = "4000000000000002"


@dataclass(frozen=True)
class Card:
    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    cardholder: str

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def brand(self) -> str:
        return card_brand(self.number)


@dataclass(frozen=True)
class Authorization:
    gateway: str
    reference: str
    brand: str
    last4: str
    amount: Decimal


class PaymentGateway(Protocol):
    name: str

    def authorize(self, card: Card, amount: Decimal, currency: str, now: datetime,
                  idempotency_key: str) -> Authorization:
        """Reserve amount on the card, once per idempotency_key: a repeat of the key answers the first
        authorization (as real gateways do with their Idempotency-Key header). Raises ValidationFailed
        (bad card) or PaymentDeclined."""

    def void(self, authorization: Authorization) -> None:
        """Release an authorization whose order did not go through."""


def luhn_ok(number: str) -> bool:
    """The Luhn checksum every real card number passes."""
    # ASCII only: str.isdigit also takes other scripts' digits and signs like "\u00b2", which int() refuses.
    if not (number.isascii() and number.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        digit = int(ch)
        if i % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def valid_card_number(number: str) -> bool:
    """12 to 19 ASCII digits passing Luhn: the one test of a card number (the schema's and the gateway's)."""
    return 12 <= len(number) <= 19 and luhn_ok(number)


def card_expired(exp_year: int, exp_month: int, now: datetime) -> bool:
    """True once the card's month is over: a card is good to the end of its expiry month."""
    return (exp_year, exp_month) < (now.year, now.month)


def card_brand(number: str) -> str:
    """visa, mastercard, amex, discover, or card when the prefix is none of those."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if "51" <= number[:2] <= "55" or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number.startswith(("6011", "65")) or "644" <= number[:3] <= "649":
        return "discover"
    return "card"


def card_errors(card: Card, now: datetime) -> dict[str, list[str]]:
    """Field errors for a card that cannot be charged (Luhn, expiry); empty when it looks chargeable."""
    problems: dict[str, list[str]] = {}
    if not valid_card_number(card.number):
        problems["payment.card_number"] = ["This is not a valid card number."]
    if card_expired(card.exp_year, card.exp_month, now):
        problems["payment.exp_year"] = ["This card has expired."]
    return problems


class TestGateway:
    """Approves any Luhn-valid unexpired card except 4000000000000002, which it declines.

    Idempotent like a real gateway: the reference is derived from the idempotency key, so a repeat of
    the key (a rerun, another app process or host) answers the same single authorization.
    """

    name = "test"
    __test__ = False  # not a pytest class, despite the name

    def authorize(self, card: Card, amount: Decimal, currency: str, now: datetime,
                  idempotency_key: str) -> Authorization:
        """Approve or decline; raises ValidationFailed for a bad card, PaymentDeclined for the declined test card."""
        problems = card_errors(card, now)
        if problems:
            raise errors.ValidationFailed("The card details are not valid.", fields=problems)
        if card.number == DECLINED_TEST_CARD:
            raise errors.PaymentDeclined()
        reference = "test_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return Authorization(self.name, reference, card.brand, card.last4, amount)

    def void(self, authorization: Authorization) -> None:
        """Nothing is held by the test gateway, so there is nothing to release."""
