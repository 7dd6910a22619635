"""Reads from a replica with read-your-writes (rvuedge.db_router).

The `replica` alias of the test settings is a test mirror: the test database itself, through a
second connection. Counting the queries on each connection shows where a request read from.
Requests run in transactional tests, so what one connection wrote the other sees, as a replica
sees it once it has caught up.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.http import JsonResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone

from accounts.models import User
from rvuedge import db_router
from rvuedge.celery import app
from rvuedge.db_router import PIN_COOKIE, REPLICA, ReplicaRouter, replica_reads


def read_view(request):
    signed_in = request.user.is_authenticated  # reads the session and the user
    return JsonResponse({"users": User.objects.count(), "signed_in": signed_in})


def write_on_get_view(request):
    """A GET that writes (as allauth's confirmation link does): what it reads next is fresh."""
    User.objects.filter(pk=request.user.pk).update(first_name="Written")
    return JsonResponse({"name": User.objects.get(pk=request.user.pk).first_name})


def write_view(request):
    before = User.objects.count()
    User.objects.create_user(
        email=f"new{before}@example.com", password="x", career_stage="attending"
    )
    return JsonResponse({"before": before, "after": User.objects.count()})


urlpatterns = [
    path("read/", read_view),
    path("write-on-get/", write_on_get_view),
    path("write/", write_view),
]

BOTH = ["default", REPLICA]


@app.task(name="tests.rvuedge.test_db_router.read_alias")
def read_alias():
    return User.objects.all().db


@pytest.fixture
def replica_router(settings):
    settings.DATABASE_ROUTERS = ["rvuedge.db_router.ReplicaRouter"]
    settings.ROOT_URLCONF = __name__
    settings.REPLICA_PIN_SECONDS = 10


class Queries:
    """The queries each connection ran inside the block."""

    def __enter__(self):
        self.default = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.default.__exit__(*exc)

    def on(self, alias, table):
        queries = self.default if alias == "default" else self.replica
        return [q["sql"] for q in queries if f'"{table}"' in q["sql"]]


# Decisions, without a database --------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed", "wrote", "expected"),
    [(True, False, REPLICA), (False, False, "default"), (True, True, "default")],
)
def test_reads_go_to_the_replica_only_where_allowed_and_before_a_write(allowed, wrote, expected):
    router = ReplicaRouter()
    with replica_reads(allowed=allowed):
        if wrote:
            assert router.db_for_write(User) == "default"
        assert router.db_for_read(User) == expected


def test_outside_a_request_reads_and_writes_go_to_default():
    router = ReplicaRouter()

    assert (router.db_for_read(User), router.db_for_write(User)) == ("default", "default")


def test_migrations_run_on_default_only():
    router = ReplicaRouter()

    assert router.allow_migrate("default", "tracking")
    assert not router.allow_migrate(REPLICA, "tracking")


def test_a_task_reads_from_default_even_when_run_inside_a_replica_read(replica_router):
    with replica_reads():
        assert User.objects.all().db == REPLICA
        assert read_alias.apply().get() == "default"


def test_without_the_router_every_read_goes_to_default():
    with replica_reads():
        assert User.objects.all().db == "default"


# Requests ----------------------------------------------------------------------------------

requests_db = pytest.mark.django_db(transaction=True, databases=BOTH)


@requests_db
def test_an_anonymous_read_goes_to_the_replica(replica_router, client):
    with Queries() as queries:
        response = client.get("/read/")

    assert response.status_code == 200
    assert queries.on(REPLICA, "accounts_user")
    assert not queries.on("default", "accounts_user")
    assert PIN_COOKIE not in response.cookies


@requests_db
def test_a_write_request_reads_from_default(replica_router, client):
    with Queries() as queries:
        response = client.post("/write/")

    assert response.json() == {"before": 0, "after": 1}
    assert len(queries.on("default", "accounts_user")) >= 3  # count, insert, count
    assert not queries.on(REPLICA, "accounts_user")
    assert PIN_COOKIE not in response.cookies  # anonymous: nothing to pin


@requests_db
def test_inside_an_atomic_block_reads_go_to_default(replica_router):
    with replica_reads():
        assert User.objects.all().db == REPLICA
        with transaction.atomic():
            assert User.objects.all().db == "default"


@requests_db
def test_a_signed_in_user_reads_from_default_for_the_pin_seconds_after_a_write(
    replica_router, client, attending, settings
):
    # Sessions read from the database every time: the read cached_db makes when the cache has
    # lost a session goes where the rest of the request reads.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(attending)
    with Queries() as queries:
        client.get("/read/")
    assert queries.on(REPLICA, "accounts_user") and queries.on(REPLICA, "django_session")

    with time_machine.travel(timezone.now(), tick=False) as clock:
        response = client.post("/write/")
        assert PIN_COOKIE in response.cookies
        assert response.cookies[PIN_COOKIE]["max-age"] == 10

        clock.shift(timedelta(seconds=9))
        with Queries() as queries:
            assert client.get("/read/").json() == {"users": 2, "signed_in": True}
        assert queries.on("default", "accounts_user") and queries.on("default", "django_session")
        assert not queries.on(REPLICA, "accounts_user")

        clock.shift(timedelta(seconds=2))  # the pin is over: the replica has long caught up
        with Queries() as queries:
            client.get("/read/")
        assert queries.on(REPLICA, "accounts_user")
        assert not queries.on("default", "accounts_user")


@requests_db
def test_a_get_that_writes_reads_its_write_from_default_and_pins_the_user(
    replica_router, client, attending
):
    client.force_login(attending)
    with Queries() as queries:
        response = client.get("/write-on-get/")

    assert response.json() == {"name": "Written"}
    assert len(queries.on("default", "accounts_user")) == 2  # the update, then the read
    assert PIN_COOKIE in response.cookies


@requests_db
def test_a_forged_pin_cookie_pins_nothing(replica_router, client):
    client.cookies[PIN_COOKIE] = "1"
    with Queries() as queries:
        client.get("/read/")

    assert queries.on(REPLICA, "accounts_user")


# Settings ------------------------------------------------------------------------------------

READ_DATABASES = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({"aliases": sorted(s.DATABASES), "routers": s.DATABASE_ROUTERS,
                  "replica": s.DATABASES.get("replica", {}).get("NAME"),
                  "mirror": s.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR"),
                  "conn_max_age": s.DATABASES.get("replica", {}).get("CONN_MAX_AGE")}))
"""


def _settings_with(**environ):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "rvuedge.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "a.example",
        "DATABASE_URL": "postgres://app@db.example:5432/rvuedge",
        **environ,
    }
    out = subprocess.run(
        [sys.executable, "-c", READ_DATABASES],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_no_replica_url_means_no_replica_and_no_router():
    assert _settings_with(DATABASE_REPLICA_URL="") == {
        "aliases": ["default"],
        "routers": [],
        "replica": None,
        "mirror": None,
        "conn_max_age": None,
    }


def test_a_replica_url_adds_the_replica_alias_and_the_router():
    found = _settings_with(DATABASE_REPLICA_URL="postgres://app@replica.example:5432/rvuedge")

    assert found == {
        "aliases": ["default", "replica"],
        "routers": ["rvuedge.db_router.ReplicaRouter"],
        "replica": "rvuedge",
        "mirror": "default",
        "conn_max_age": 60,
    }


@requests_db
def test_without_the_router_requests_read_from_default_and_pin_nothing(settings, client, attending):
    settings.ROOT_URLCONF = __name__
    client.force_login(attending)
    with Queries() as queries:
        response = client.post("/write/")
        client.get("/read/")

    assert not db_router.replica_enabled()
    assert PIN_COOKIE not in response.cookies
    assert queries.on("default", "accounts_user") and not queries.on(REPLICA, "accounts_user")
