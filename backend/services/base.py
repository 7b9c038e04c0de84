"""What every service class holds: the database, the settings and the clock."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from backend import errors
from backend.clock import utcnow
from backend.config import Settings
from backend.db import Database, in_retried_unit, run_retrying

T = TypeVar("T")

# Told how many more rows or items are done (tqdm's update fits); what it returns is ignored.
Progress = Callable[[int], object]


def found(row: T | None, message: str) -> T:
    """The row a use case is about, or NotFound(message) when there is no such row."""
    if row is None:
        raise errors.NotFound(message)
    return row


def held(row: T | None) -> T:
    """A row read back inside the unit of work that has just written it or holds it locked: it is there."""
    if row is None:
        raise LookupError("a row this transaction wrote or locked is missing")
    return row


def retrying(method: Callable[..., Any]) -> Callable[..., Any]:
    """method run by run_retrying: rerun whole when its transaction lost a race (deadlock, Galera conflict).
    Called from another retried method, it is part of that one's attempt (the outermost retries)."""
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        if in_retried_unit():
            return method(*args, **kwargs)
        return run_retrying(lambda: method(*args, **kwargs))
    return run


# The parameter names of a unit of work, or its connection, that a step of the caller's transaction is given.
_CALLERS_UNIT = frozenset({"uow", "conn"})


def _own_unit(name: str, value: Any) -> bool:
    """A public method that runs its own transaction. Left unwrapped: generators (they run after the call
    returns, outside any runner) and methods given the caller's `uow` or `conn` (a step of the caller's
    attempt: rerun alone after the caller's work rolled back, they would commit half a use case)."""
    return (not name.startswith("_") and inspect.isfunction(value) and not inspect.isgeneratorfunction(value)
            and _CALLERS_UNIT.isdisjoint(inspect.signature(value).parameters))


class Service:
    """Every public method of a service that opens its own unit of work is a retried unit (see run_retrying;
    one given the caller's `uow` or `conn` is a step of the caller's): a transaction that loses a race to another
    (InnoDB deadlock, Galera certification conflict at any statement or at COMMIT) runs again instead of
    answering 503. Side effects outside the database inside such a method must be idempotent (payments
    authorise once per idempotency key); those after a commit never repeat."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if _own_unit(name, value):
                setattr(cls, name, retrying(value))

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()
