"""Helpers for tests of background jobs (tracking.jobs): a live worker's lock held from another
connection, and a real Celery worker in its own process that a test can kill."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from rvuedge.locks import try_lock
from tracking import jobs


@contextlib.contextmanager
def worker_alive(job):
    """Hold the job's lock from another database connection, as the worker running it does."""
    acquired, done = threading.Event(), threading.Event()
    failure = []

    def hold():
        try:
            with try_lock(jobs.lock_key(type(job), job.pk)) as free:
                if not free:
                    failure.append("the job's lock is already held")
                acquired.set()
                done.wait(30)
        finally:
            acquired.set()
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    acquired.wait(10)
    assert not failure, failure
    try:
        yield
    finally:
        done.set()
        thread.join(10)


def wait_for(predicate, *, timeout, what, log: Path | None = None, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    detail = f"\n--- worker log ---\n{log.read_text()}" if log and log.exists() else ""
    pytest.fail(f"Timed out after {timeout} s waiting for {what}{detail}")


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


class WorkerProcess:
    """`celery worker` in its own process, on pytest-django's test database, consuming the
    default queue: a solo pool (the worker is the process that runs tasks) or a prefork pool of
    one process (a child runs each task; the parent requeues the message when it dies)."""

    def __init__(self, log: Path, pool: str = "solo"):
        self.log = log
        command = [sys.executable, "-m", "celery", "-A", "rvuedge", "worker", f"--pool={pool}"]
        if pool == "prefork":
            command.append("--concurrency=1")
        command += ["-n", f"kill-test-{os.getpid()}-{time.monotonic_ns()}@%h"]
        command += ["--loglevel=INFO", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rvuedge.settings.test",
            "DATABASE_URL": _test_database_url(),
        }
        with log.open("w") as out:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # The test settings give each process its own cache key prefix; the worker's progress is
        # read under its main process's.
        self.cache = RedisCache(
            settings.CACHES["default"]["LOCATION"],
            {"KEY_PREFIX": f"rvuedge-test-{self.process.pid}"},
        )

    def progress(self, job) -> int:
        return self.cache.get(jobs.progress_key(type(job), job.pk)) or 0

    def pool_children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self, pid: int | None = None) -> None:
        """SIGKILL the worker (or one of its pool processes): no chance to clean up."""
        os.kill(pid or self.process.pid, signal.SIGKILL)
        if pid is None:
            assert self.process.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def forget_queue(name: str = "celery") -> None:
    """Drop a queue's messages, including those a killed worker had not acknowledged, so no
    later worker runs them."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(name)
    for tag, raw in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(raw)
        if routing_key == name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def redeliver_unacked() -> None:
    """Put the messages a killed worker took and never acknowledged back on their queue, as the
    broker does once their visibility timeout (an hour) has passed."""
    from rvuedge.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.visibility_timeout = 0  # every unacknowledged message is due
        channel.qos.restore_visible(num=1000)
