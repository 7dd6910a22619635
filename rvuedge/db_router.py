"""Reads from a PostgreSQL replica, with read-your-writes (settings.DATABASE_REPLICA_URL).

Installed only when DATABASE_REPLICA_URL is set (settings.DATABASE_ROUTERS); without it every
query goes to default, as before. With it, writes go to default and reads go to the `replica`
alias only where a stale row can not be noticed:

- Only requests may read from the replica. ReplicaPinMiddleware allows it for a GET, HEAD or
  OPTIONS request; everything else (Celery tasks, management commands, migrations, the shell)
  reads from default, since it usually writes what it has just read.
- A request that writes (any other method) reads from default; so does the rest of a request once
  it has written, and anything inside transaction.atomic() on default.
- A signed-in user who wrote is pinned to default for settings.REPLICA_PIN_SECONDS afterwards
  (a signed cookie whose signature carries the time), so the page after a save shows the save
  even while the replica lags behind.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"
PIN_COOKIE = "rvuedge_pin"
PIN_SALT = "rvuedge.db_router.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _Reads:
    """What the current request may read from; a write turns the replica off for its rest."""

    replica: bool = False
    wrote: bool = False


# None outside a request: reads go to default (tasks, commands, the shell).
_reads: ContextVar[_Reads | None] = ContextVar("rvuedge_db_reads", default=None)


@contextmanager
def replica_reads(allowed: bool = True):
    """Within the block reads may go to the replica (until a write); what it wrote is returned
    in the yielded state (`.wrote`)."""
    state = _Reads(replica=allowed)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


def reads_from_primary() -> None:
    """From now on, in this context, read from default (a Celery task starting, a write)."""
    state = _reads.get()
    if state is not None:
        state.replica = False


def replica_enabled() -> bool:
    return any(isinstance(r, ReplicaRouter) for r in router.routers)


class ReplicaRouter:
    """Reads to the replica where the current context allows it; writes and migrations to
    default. Both aliases hold the same rows, so relations between their objects are allowed."""

    def db_for_read(self, model, **hints):
        state = _reads.get()
        if state is None or not state.replica or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None:
            state.replica = False
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pinned(request) -> bool:
    """The browser's signed-in user wrote less than REPLICA_PIN_SECONDS ago."""
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS)
    except (KeyError, signing.BadSignature):  # absent, tampered with or expired
        return False
    return True


class ReplicaPinMiddleware:
    """Chooses where the request reads from, and pins a signed-in user who wrote to default for
    REPLICA_PIN_SECONDS. Sits before the session middleware, so the session is read from where
    the rest of the request reads. Does nothing unless ReplicaRouter is installed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_enabled():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        with replica_reads(allowed=safe and not _pinned(request)) as state:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if (state.wrote or not safe) and user is not None and user.is_authenticated:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
