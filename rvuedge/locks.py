"""Named locks that keep two processes from doing the same work at once (an import, a refresh,
one user's submissions).

On PostgreSQL a lock is a session advisory lock: it may be held across several transactions
(an import commits its "loading" row before the long load), and the server releases it when
the connection goes, so a worker killed with SIGKILL never leaves one behind (a Redis lock
would outlive the worker until its timeout). Elsewhere (SQLite, the embedded default, where
tasks run in-process) a lock inside this process is all that is needed. Either way the same
thread may take a lock it already holds, as a PostgreSQL session may.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterator

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

_process_locks: dict[str, threading.RLock] = {}
_process_locks_guard = threading.Lock()


def lock_id(key: str) -> int:
    """The 64-bit PostgreSQL advisory lock number of a lock name."""
    digest = hashlib.sha256(f"rvuedge:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def try_lock(key: str) -> Iterator[bool]:
    """Hold the lock named `key` for the body; yields False at once (holding nothing) when
    another process or thread has it."""
    if connection.vendor == "postgresql":
        with _advisory(key) as acquired:
            yield acquired
        return
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.RLock())
    acquired = lock.acquire(blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


@contextlib.contextmanager
def _advisory(key: str) -> Iterator[bool]:
    number = lock_id(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [number])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            _unlock(key, number)


@contextlib.contextmanager
def hold(key: str) -> Iterator[None]:
    """Hold the lock named `key` for the body, waiting for it while another process or thread
    has it. Taken outside a transaction, it is held until that transaction has committed, so
    whoever waited sees what the holder wrote (one user's submissions, checked then saved)."""
    if connection.vendor == "postgresql":
        number = lock_id(key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [number])
        try:
            yield
        finally:
            _unlock(key, number)
        return
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.RLock())
    with lock:
        yield


def _unlock(key: str, number: int) -> None:
    if connection.connection is None:
        return  # the connection is gone, and the lock with it
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [number])
    except DatabaseError:
        logger.warning("Could not release lock %s: connection lost", key)
