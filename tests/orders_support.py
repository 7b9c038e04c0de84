"""Test data for the cart and orders tests: products, offers and test cards, made straight in the database."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from backend.clock import utcnow
from tests.conftest import uid

GOOD_CARD = {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": utcnow().year + 3,
             "cvc": "123", "cardholder": "Test Buyer"}
DECLINED_CARD = {**GOOD_CARD, "card_number": "4000000000000002"}
ADDRESS = {"full_name": "Test Buyer", "line1": "1 Main Street", "city": "Springfield",
           "postal_code": "12345", "country": "US"}


def add_product(db, price: str = "10.00", stock: int = 10, archived: bool = False, name: str = "") -> int:
    """A product row of our own (unique name and slug); returns its id."""
    suffix = uid()
    with db.cursor() as cur:
        cur.execute("INSERT INTO products (name, slug, description, price, stock, is_archived) "
                    "VALUES (%s, %s, '', %s, %s, %s)",
                    (name or f"Thing {suffix}", f"thing-{suffix}", Decimal(price), stock, int(archived)))
        return cur.lastrowid


def add_offer(db, product_id: int, percent_off: str) -> int:
    now = utcnow()
    with db.cursor() as cur:
        cur.execute("INSERT INTO offers (name, percent_off, product_id, starts_at, ends_at) "
                    "VALUES (%s, %s, %s, %s, %s)", (f"offer {uid()}", Decimal(percent_off), product_id,
                                                    now - timedelta(days=1), now + timedelta(days=1)))
        return cur.lastrowid


def set_product(db, product_id: int, **changes) -> None:
    """Change a product's columns (names are our own literals: stock, price, is_archived)."""
    for column, value in changes.items():
        assert column in {"stock", "price", "is_archived"}
        with db.cursor() as cur:
            cur.execute(f"UPDATE products SET {column} = %s WHERE id = %s", (value, product_id))


def stock_of(db, product_id: int) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT stock FROM products WHERE id = %s", (product_id,))
        return cur.fetchone()["stock"]


def order_body(**overrides) -> dict:
    return {"shipping_address": ADDRESS, "payment": GOOD_CARD, **overrides}
