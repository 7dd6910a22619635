"""rvuedge.postgres: a new connection waits for a restarting PostgreSQL instead of failing the
request, and fails at once when the settings are wrong."""

import os
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connections

from rvuedge.postgres.base import DatabaseWrapper, connect_with_retry, is_transient

REFUSED = psycopg.OperationalError(
    'connection failed: connection to server at "127.0.0.1", port 5440 failed: Connection refused'
)
STARTING = psycopg.OperationalError(
    'connection failed: connection to server at "127.0.0.1", port 5440 failed: FATAL:  the '
    "database system is starting up"
)
NO_DATABASE = psycopg.OperationalError(
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
    'database "rvuedge_typo" does not exist'
)
BAD_PASSWORD = psycopg.OperationalError(
    'connection failed: FATAL:  password authentication failed for user "rvuedge"'
)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.pauses = []

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


def failing(*failures, then="connection"):
    """A connect() that raises each failure in turn, then returns `then`."""
    queue = list(failures)

    def connect():
        if queue:
            raise queue.pop(0)
        return then

    return connect


@pytest.mark.parametrize(
    "exc, transient",
    [
        (REFUSED, True),
        (STARTING, True),
        (psycopg.OperationalError("FATAL:  the database system is shutting down"), True),
        (psycopg.OperationalError("FATAL:  sorry, too many clients already"), True),
        (NO_DATABASE, False),
        (BAD_PASSWORD, False),
        (ValueError("connection refused"), False),
    ],
)
def test_only_a_server_that_will_come_back_is_waited_for(exc, transient):
    assert is_transient(exc) is transient


def test_a_refused_connection_is_tried_again_until_the_server_answers():
    clock = FakeClock()
    connect = failing(REFUSED, REFUSED, STARTING)

    assert connect_with_retry(connect, seconds=5, sleep=clock.sleep, clock=lambda: clock.now) == (
        "connection"
    )
    assert len(clock.pauses) == 3
    assert clock.pauses == sorted(clock.pauses)  # growing pauses


def test_it_gives_up_with_the_last_failure_after_the_seconds_allowed():
    clock = FakeClock()
    connect = failing(*[REFUSED] * 1000)

    with pytest.raises(psycopg.OperationalError, match="Connection refused"):
        connect_with_retry(connect, seconds=2, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.now == 2  # the whole time allowed, and no more


@pytest.mark.parametrize("exc", [NO_DATABASE, BAD_PASSWORD])
def test_wrong_settings_fail_at_once(exc):
    clock = FakeClock()

    with pytest.raises(psycopg.OperationalError):
        connect_with_retry(failing(exc), seconds=5, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.pauses == []


def test_no_seconds_means_no_retry():
    clock = FakeClock()

    with pytest.raises(psycopg.OperationalError):
        connect_with_retry(failing(REFUSED), seconds=0, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.pauses == []


@pytest.mark.postgres
def test_the_site_uses_it_on_postgresql_with_a_few_seconds_of_patience():
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connections["default"].vendor == "postgresql"
    assert settings.DATABASES["default"]["CONNECT_RETRY_SECONDS"] == 5
    assert settings.USING_POSTGRES


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_server_that_stays_down_fails_as_a_database_error_after_the_wait():
    # A port nothing listens on: a server down for good. Django's own error, after the wait.
    params = connections["default"].settings_dict | {"PORT": "1", "CONNECT_RETRY_SECONDS": 0.6}
    wrapper = DatabaseWrapper(params)  # not in django.db.connections
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError, match="refused"):
            wrapper.ensure_connection()
    finally:
        wrapper.close()
    assert 0.6 <= time.monotonic() - started < 5


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_server_that_comes_back_is_connected_to():
    # A listener that opens a few tenths of a second later, forwarding to the real server: the
    # connection made while it was refusing succeeds once it is there.
    real = connections["default"].settings_dict
    forwarder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            FORWARD,
            str(real["HOST"] or "127.0.0.1"),
            str(real["PORT"] or 5432),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    try:
        port = forwarder.stdout.readline().strip()  # chosen, not yet listening
        wrapper = DatabaseWrapper(real | {"PORT": port, "CONNECT_RETRY_SECONDS": 10})
        try:
            wrapper.ensure_connection()
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
        finally:
            wrapper.close()
    finally:
        forwarder.kill()
        forwarder.wait()


FORWARD = """
import socket, sys, threading, time
host, port = sys.argv[1], int(sys.argv[2])
probe = socket.socket(); probe.bind(("127.0.0.1", 0)); free = probe.getsockname()[1]; probe.close()
print(free, flush=True)
time.sleep(0.5)
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", free)); server.listen()
def pipe(a, b):
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        b.close()
while True:
    client, _ = server.accept()
    upstream = socket.create_connection((host, port))
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
"""
