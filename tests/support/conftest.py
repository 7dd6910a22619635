import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.management import call_command

from rvuedge.celery import app
from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(db, staff):
    from django.test import Client

    from tests.factories import sign_in

    return sign_in(Client(), staff)  # through allauth, as the admin requires


@pytest.fixture
def help_content(db):
    call_command("load_help_content", verbosity=0)


@pytest.fixture
def eager_tasks():
    """Tasks queued with delay()/delay_on_commit() run at once, in this thread (unit tests)."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def celery_worker(transactional_db):
    """The project's Celery app consuming from Redis (REDIS_URL) in a thread of this process,
    so it reads the same test database and its emails land in the locmem outbox."""
    assert not app.conf.task_always_eager, "worker tests need REDIS_URL"
    app.control.purge()  # messages left by an interrupted run are not ours to run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def wait_for_mail(count, *, timeout=30):
    """Wait until the outbox holds `count` emails (the worker sends them from its thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mail.outbox) >= count:
            time.sleep(0.2)  # and give a stray extra email the chance to show up
            return list(mail.outbox)
        time.sleep(0.05)
    sent = [(m.to, m.subject) for m in mail.outbox]
    pytest.fail(f"Timed out after {timeout} s waiting for {count} emails; sent: {sent}")
