"""Shared fixtures, and the two lanes the suite runs in (RVUEDGE_TEST_LANE):

- services (the default; `make test`): real PostgreSQL and Redis, and every test runs. A missing
  service fails the run at start-up with a message saying what to start (never a silent skip).
- embedded (`make test-sqlite`): what `make run` uses, SQLite with a local-memory cache and tasks
  run in-process (no DATABASE_URL, no REDIS_URL). Tests marked `postgres` or `celery_worker` need
  what it lacks and are deselected with -m; the run stops if one is selected.

Each lane refuses to start on the other's settings, so no lane runs on the wrong database unseen.
"""

import os

import pytest
from django.conf import settings

pytest_plugins = ["tests.browser_fixtures"]

LANES = ("services", "embedded")
NEEDS_SERVICES = ("postgres", "celery_worker")  # markers of the tests the embedded lane leaves out


def _lane() -> str:
    lane = os.environ.get("RVUEDGE_TEST_LANE") or "services"
    if lane not in LANES:
        pytest.exit(f"RVUEDGE_TEST_LANE={lane}: expected one of {', '.join(LANES)}", returncode=4)
    return lane


def pytest_configure(config):
    if _lane() == "embedded":
        problems, advice = _embedded_problems(), "`make test-sqlite` runs this lane as intended."
    else:
        problems = _service_problems()
        advice = (
            "Start them (see README) or run `make test`, which points at the local ones; "
            "`make test-sqlite` runs the tests that need neither on SQLite."
        )
    if problems:
        pytest.exit(
            f"The {_lane()} test lane cannot run (RVUEDGE_TEST_LANE):\n  - "
            + "\n  - ".join(problems)
            + f"\n{advice}",
            returncode=3,
        )


def pytest_collection_finish(session):
    if _lane() != "embedded":
        return
    selected = [
        item.nodeid
        for item in session.items
        if any(item.get_closest_marker(marker) for marker in NEEDS_SERVICES)
    ]
    if selected:
        pytest.exit(
            f"{len(selected)} selected test(s) need PostgreSQL or a Celery worker, which the "
            f"embedded lane lacks (first: {selected[0]}); deselect them with "
            '-m "not postgres and not celery_worker" or run `make test-sqlite`.',
            returncode=4,
        )


def _embedded_problems() -> list[str]:
    problems = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.sqlite3":
        problems.append(f"the database is {engine}, not SQLite: unset DATABASE_URL (and in .env)")
    if settings.REDIS_URL or not settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append("REDIS_URL is set: unset it (local-memory cache, tasks run in-process)")
    return problems


def _service_problems() -> list[str]:
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
    return problems


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

    from rvuedge.lru import LocalLRU

    LocalLRU.clear_every()

    # Never flush the database that holds the Celery queues.
    if settings.CACHES["default"].get("LOCATION") != getattr(settings, "CELERY_BROKER_URL", None):
        cache.clear()
    yield


@pytest.fixture
def fee_row():
    """A real PPRRVU row as the credit engine's FeeRow: fee_row("27447", "", "RVU25D")."""
    from tests import cms_files

    return cms_files.fee_row
