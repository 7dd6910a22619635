"""Django's PostgreSQL backend, waiting a few seconds for a server that refuses connections.

A restart of PostgreSQL (a failover, an upgrade, `pg_ctl restart`) closes every connection, and
for a second or two the server refuses new ones ("connection refused", "the database system is
starting up"). Django would fail each request that needs a connection then; here a new
connection is tried again, with a growing pause, for up to CONNECT_RETRY_SECONDS (a key of the
database's settings; 0 turns it off), so those requests wait and then answer. Only opening a
connection is retried: a query is never sent twice. A wrong password or a missing database is
no outage: it fails at once.
"""

from __future__ import annotations

import logging
import time

from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

# What libpq says when the server will take connections again soon (psycopg gives no SQLSTATE
# for a failed connection, so the message tells): down, starting up or shutting down, full.
TRANSIENT = (
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "too many clients",
    "server closed the connection unexpectedly",
    "connection reset",
    "no such file or directory",  # its socket file, gone while it restarts
    "timeout expired",
)
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 0.5


def is_transient(exc: Exception) -> bool:
    """A connection failure that a restarting server gives (retry), not a configuration one."""
    if not isinstance(exc, base.Database.OperationalError):
        return False
    message = str(exc).lower()
    return any(text in message for text in TRANSIENT)


def connect_with_retry(connect, *, seconds: float, sleep=time.sleep, clock=time.monotonic):
    """connect(), tried again after transient failures until `seconds` have passed; the last
    failure is raised."""
    deadline = clock() + seconds
    pause = FIRST_PAUSE
    while True:
        try:
            return connect()
        except Exception as exc:
            remaining = deadline - clock()
            if not is_transient(exc) or remaining <= 0:
                raise
            logger.warning("PostgreSQL refused a connection, trying again: %s", exc)
        sleep(min(pause, remaining))
        pause = min(pause * 2, LONGEST_PAUSE)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        seconds = float(self.settings_dict.get("CONNECT_RETRY_SECONDS", 0) or 0)
        connect = super().get_new_connection
        return connect_with_retry(lambda: connect(conn_params), seconds=seconds)
