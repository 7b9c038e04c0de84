"""The one-round-trip check that decides whether a price-filtered listing must refresh current prices."""
from __future__ import annotations

from datetime import timedelta

from backend.clock import utcnow
from backend.repositories.offers import NEEDS_PRICING, OfferRepository
from backend.services.pricing import ensure_current_prices
from tests.catalog_support import offer, product, word


def _needs(db, now) -> bool:
    with db.uow() as uow:
        return OfferRepository(uow.conn).needs_pricing(now)


def _settle(db, now) -> None:
    with db.uow() as uow:
        ensure_current_prices(uow.conn, now)
        # Other tests move the clock: pin the last refresh here so only this test's offers can cross.
        OfferRepository(uow.conn).set_priced_at(now)
        uow.commit()


def test_an_offer_starting_or_ending_since_the_last_refresh_needs_pricing(db, services):
    now = utcnow().replace(microsecond=0)
    made = product(services, f"{word()} kettle", "40.00")
    offer(services, now, percent="10", product_id=made["id"], starts=timedelta(hours=1), ends=timedelta(hours=2))
    _settle(db, now)
    assert not _needs(db, now)
    assert not _needs(db, now + timedelta(minutes=59))
    assert _needs(db, now + timedelta(hours=1, seconds=1))  # it started
    _settle(db, now + timedelta(hours=1, seconds=1))
    assert not _needs(db, now + timedelta(hours=1, minutes=30))
    assert _needs(db, now + timedelta(hours=2, seconds=1))  # it ended
    assert _needs(db, now - timedelta(hours=1))  # the clock moved back over its start


def test_an_unpriced_visible_product_needs_pricing(db, services):
    now = utcnow().replace(microsecond=0)
    _settle(db, now)
    with db.cursor() as cur:
        cur.execute("INSERT INTO products (name, slug, description, price, stock) VALUES (%s, %s, '', 5, 1)",
                    (f"{word()} raw", f"raw-{word()}"))
    assert _needs(db, now)
    _settle(db, now)
    assert not _needs(db, now)


def test_the_check_reads_only_index_ranges(db):
    now = utcnow()
    with db.cursor() as cur:
        cur.execute("EXPLAIN " + NEEDS_PRICING, (now, now, now, now))
        plan = [row for row in cur.fetchall() if row["table"]]
    assert plan and all(row["type"] in ("range", "ref", "const") for row in plan), plan
