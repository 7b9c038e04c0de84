"""What every service class holds: the database, the settings and the clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from backend.clock import utcnow
from backend.config import Settings
from backend.db import Database


class Service:
    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()
