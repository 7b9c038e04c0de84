"""Whether an account may be used now: the one rule the login and every request's session both ask."""
from __future__ import annotations

from datetime import datetime, timedelta

from backend.services.accounts import barred

NOW = datetime(2026, 5, 1, 12, 0, 0)


def _user(is_active: bool = True, blocked_until: datetime | None = None) -> dict:
    return {"is_active": is_active, "blocked_until": blocked_until}


def test_an_active_unblocked_account_may_be_used():
    assert barred(_user(), NOW) is None
    assert barred(_user(blocked_until=NOW), NOW) is None  # a block ends at its time


def test_a_block_until_later_is_a_403_naming_its_end():
    refusal = barred(_user(blocked_until=NOW + timedelta(seconds=1)), NOW)
    assert (refusal.status, refusal.code, refusal.extra) == (403, "account_blocked",
                                                             {"blocked_until": "2026-05-01T12:00:01Z"})


def test_inactive_wins_over_blocked():
    refusal = barred(_user(is_active=False, blocked_until=NOW + timedelta(days=1)), NOW)
    assert (refusal.status, refusal.code) == (403, "account_inactive")
