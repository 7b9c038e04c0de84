"""The listing cache: entries live ttl seconds, the oldest go first beyond the bound, ttl 0 keeps nothing."""
from __future__ import annotations

from backend.services.listing_cache import ListingCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_ttl():
    clock = FakeClock()
    cache = ListingCache(ttl=10, clock=clock)
    cache.put("k", 42)
    clock.now += 9.9
    assert cache.get("k") == 42
    clock.now += 0.2
    assert cache.get("k") is None


def test_the_least_recently_used_entry_goes_first():
    cache = ListingCache(ttl=10, max_entries=2, clock=FakeClock())
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_clear_and_disabled():
    cache = ListingCache(ttl=10, clock=FakeClock())
    cache.put("a", 1)
    cache.clear()
    assert cache.get("a") is None
    off = ListingCache(ttl=0)
    off.put("a", 1)
    assert not off.enabled and off.get("a") is None
