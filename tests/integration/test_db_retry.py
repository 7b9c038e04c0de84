"""The one retry of transactions that lost a race (db.run_retrying, applied to every service method)."""
from __future__ import annotations

import threading

import pymysql
import pytest

from backend.db import run_retrying
from backend.services.base import Service
from tests.orders_support import add_product, stock_of


def _take(db, first: int, second: int, barrier: threading.Barrier, tries: list[int]) -> str:
    """One unit of work taking stock from first, then second: with a twin in the other order, a deadlock."""
    tries.append(1)
    with db.uow() as uow, uow.conn.cursor() as cur:
        cur.execute("UPDATE products SET stock = stock - 1 WHERE id = %s", (first,))
        if len(tries) == 1:
            barrier.wait(timeout=10)  # both hold their first row lock before either asks for the second
        cur.execute("UPDATE products SET stock = stock - 1 WHERE id = %s", (second,))
        uow.commit()
    return "done"


def test_a_real_deadlock_between_two_threads_is_retried_and_both_succeed(db):
    a, b = add_product(db, stock=10), add_product(db, stock=10)
    barrier = threading.Barrier(2)
    tries: dict[str, list[int]] = {"ab": [], "ba": []}
    results: dict[str, object] = {}

    def run(name: str, first: int, second: int) -> None:
        try:
            results[name] = run_retrying(lambda: _take(db, first, second, barrier, tries[name]))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[name] = exc

    threads = [threading.Thread(target=run, args=("ab", a, b)), threading.Thread(target=run, args=("ba", b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {"ab": "done", "ba": "done"}
    # InnoDB chose one victim (1213), which ran again: three runs in all, and both decrements landed twice.
    assert sorted(len(t) for t in tries.values()) == [1, 2]
    assert stock_of(db, a) == 8 and stock_of(db, b) == 8


def _deadlock() -> pymysql.err.OperationalError:
    return pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")


def test_a_conflict_is_retried_a_bounded_number_of_times():
    calls: list[int] = []

    def always_loses() -> None:
        calls.append(1)
        raise _deadlock()

    with pytest.raises(pymysql.err.OperationalError):
        run_retrying(always_loses, attempts=4, pause=0.001)
    assert len(calls) == 4


def test_work_after_a_commit_is_not_repeated(db):
    product = add_product(db, stock=10)
    calls: list[int] = []

    def commit_then_lose() -> None:
        calls.append(1)
        with db.uow() as uow, uow.conn.cursor() as cur:
            cur.execute("UPDATE products SET stock = stock - 1 WHERE id = %s", (product,))
            uow.commit()
        raise _deadlock()

    with pytest.raises(pymysql.err.OperationalError):
        run_retrying(commit_then_lose, pause=0.001)
    assert len(calls) == 1 and stock_of(db, product) == 9


def test_other_errors_are_not_retried():
    calls: list[int] = []

    def fails() -> None:
        calls.append(1)
        raise pymysql.err.OperationalError(1054, "Unknown column")

    with pytest.raises(pymysql.err.OperationalError):
        run_retrying(fails)
    assert len(calls) == 1


def test_every_public_service_method_runs_retried_and_only_the_outermost_retries(db, settings):
    calls: list[str] = []

    class Flaky(Service):
        def outer(self) -> str:
            calls.append("outer")
            return self.inner()

        def inner(self) -> str:
            calls.append("inner")
            if calls.count("inner") == 1:
                raise _deadlock()
            return "ok"

    assert Flaky(db, settings).outer() == "ok"
    assert calls == ["outer", "inner", "outer", "inner"]


def test_a_step_given_the_callers_unit_of_work_is_not_retried_alone(db, settings):
    calls: list[str] = []

    class Steps(Service):
        def step(self, uow: object) -> None:
            calls.append("step")
            raise _deadlock()

        def read(self, conn: object) -> None:
            calls.append("read")
            raise _deadlock()

    # Called outside any retried method (as a bench script may), a step fails once instead of running again
    # in a new transaction after the caller's work was rolled back.
    with pytest.raises(pymysql.err.OperationalError):
        Steps(db, settings).step(object())
    with pytest.raises(pymysql.err.OperationalError):
        Steps(db, settings).read(object())
    assert calls == ["step", "read"]
