"""rvuedge.locks: one holder at a time, on PostgreSQL (advisory locks) and elsewhere."""

import threading

import pytest
from django.db import connection, connections

from rvuedge import locks


def _try_in_another_thread(key: str) -> bool:
    """Whether another thread (another database connection) gets the lock now."""
    got = []

    def other():
        try:
            with locks.try_lock(key) as acquired:
                got.append(acquired)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(10)
    return got[0]


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def vendor(request, monkeypatch, transactional_db):
    if request.param == "sqlite":
        # The lock inside this process that SQLite and in-process tasks use.
        monkeypatch.setattr(type(connections["default"]), "vendor", "sqlite")
    return request.param


def test_a_held_lock_is_refused_to_others_and_free_once_released(vendor):
    with locks.try_lock("test.lock") as acquired:
        assert acquired
        assert _try_in_another_thread("test.lock") is False
        assert _try_in_another_thread("test.other-lock") is True
        with locks.try_lock("test.lock") as again:  # the holder may take it again
            assert again
        assert _try_in_another_thread("test.lock") is False
    assert _try_in_another_thread("test.lock") is True


def test_lock_numbers_are_stable_64_bit_integers():
    number = locks.lock_id("codes.refresh")

    assert number == locks.lock_id("codes.refresh") != locks.lock_id("codes.refresh2")
    assert -(2**63) <= number < 2**63


def test_a_held_lock_is_waited_for_and_the_waiter_goes_on_once_it_is_released(vendor):
    order = []

    def other():
        try:
            with locks.hold("test.wait"):
                order.append("other holds")
        finally:
            connection.close()

    with locks.hold("test.wait"):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive() and order == []  # waiting
        with locks.hold("test.wait"):  # the holder may take it again
            order.append("holder")
    thread.join(10)

    assert order == ["holder", "other holds"]
    assert _try_in_another_thread("test.wait") is True
