"""A short-lived, per-process memory of which products a listing request matched.

Why: a listing's count (capped at TOTAL_CAP, yet up to that many index entries read) costs more than its
page, while shoppers page through the same listing. Only totals are kept: prices and stock are read fresh
on every request, and searches read the search index, never this. Catalog writes in this process clear
it at once; another worker process sees a change within `ttl` seconds.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class ListingCache:
    def __init__(self, ttl: float, max_entries: int = 512, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_entries, self._clock = ttl, max_entries, clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def get(self, key: Hashable) -> Any | None:
        """The value stored under key, or None when missing or older than ttl."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= self._clock():
                self._entries.pop(key, None)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
