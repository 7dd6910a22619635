"""Shared fixtures. The suite runs against real PostgreSQL and Redis: a missing service fails the
run at start-up with a message saying what to start (never a silent skip)."""

import os

import pytest
from django.conf import settings

pytest_plugins = ["tests.browser_fixtures"]


def pytest_configure(config):
    if os.environ.get("RVUEDGE_REQUIRE_SERVICES", "1") != "1":
        return
    problems = []
    if not settings.USING_POSTGRES:
        problems.append("DATABASE_URL must name a PostgreSQL database (postgres://...)")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must name a Redis server (redis://...)")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at {settings.REDIS_URL} does not answer: {exc}")
    if settings.USING_POSTGRES:
        import psycopg

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                user=db["USER"] or None,
                password=db["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as exc:
            problems.append(f"PostgreSQL at {db['HOST']}:{db['PORT']} does not answer: {exc}")
    if problems:
        pytest.exit(
            "Required services are missing (RVUEDGE_REQUIRE_SERVICES=1):\n  - "
            + "\n  - ".join(problems)
            + "\nStart them (see README) or run `make test`, which points at the local ones.",
            returncode=3,
        )


@pytest.fixture
def release(db, tmp_path):
    """RVU25D, current, holding the real rows of tests.cms_files.SLICE_CODES."""
    from codes.services import release_import
    from tests import cms_files

    path = tmp_path / cms_files.PPRRVU_FILES["RVU25D"][1]
    return release_import(source=cms_files.write_release_slice(path), make_current=True).release


@pytest.fixture
def newer_release(release, tmp_path):
    """RVU26C (imported, not current) with the same codes."""
    from codes.services import release_import
    from tests import cms_files

    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"][1]
    return release_import(source=cms_files.write_release_slice(path, "RVU26C")).release


@pytest.fixture
def attending(db):
    from tests.factories import UserFactory

    return UserFactory(career_stage="attending")


@pytest.fixture
def resident(db):
    from tests.factories import UserFactory

    return UserFactory(career_stage="resident", pgy_year=2, program="General Surgery")


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def admin_user(db):
    """pytest-django's admin_user, as a user who can sign in through allauth."""
    from tests.factories import UserFactory

    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's admin_client, signed in through allauth as the admin requires."""
    from django.test import Client

    from tests.factories import sign_in

    return sign_in(Client(), admin_user)  # a client of its own, as pytest-django's is


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    # Never flush the database that holds the Celery queues.
    if settings.CACHES["default"].get("LOCATION") != getattr(settings, "CELERY_BROKER_URL", None):
        cache.clear()
    yield


@pytest.fixture
def fee_row():
    """A real PPRRVU row as the credit engine's FeeRow: fee_row("27447", "", "RVU25D")."""
    from tests import cms_files

    return cms_files.fee_row
