"""Periodic work in a daemon thread, started at most once per process (gunicorn forks workers)."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from backend.errors import DatabaseUnavailable

log = logging.getLogger("shopwright.background")


class BackgroundLoop:
    """Calls step() again at once while it reports more work, else every `interval` seconds."""

    def __init__(self, name: str, step: Callable[[], object], interval: float, wait_first: bool = False) -> None:
        self.name, self.step, self.interval, self.wait_first = name, step, interval, wait_first
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stop = threading.Event()

    def ensure_started(self) -> None:
        """Start the thread in this process unless it runs already; cheap enough to call on every request."""
        if self.running():
            return
        with self._lock:  # a worker's first requests arrive on several threads at once
            if self.running():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self.run, args=(self._stop,), name=self.name, daemon=True)
            self._pid = os.getpid()
            self._thread.start()

    def running(self) -> bool:
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self, stop: threading.Event) -> None:
        """The loop itself (also run in the foreground by CLI commands); ends when stop is set."""
        if self.wait_first and stop.wait(self.interval):
            return
        while not stop.is_set():
            try:
                busy = bool(self.step())
            except DatabaseUnavailable:
                # An outage is expected now and then: one line per pass, not a traceback every poll.
                log.warning("%s: database unavailable; retrying in %ss", self.name, self.interval)
                busy = False
            except Exception:  # noqa: BLE001 - the loop must outlive a database outage
                log.exception("%s: pass failed", self.name)
                busy = False
            if not busy and stop.wait(self.interval):
                return
