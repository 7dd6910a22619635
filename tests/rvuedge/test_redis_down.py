"""Redis unreachable: every page still answers (the cache degrades to a miss), signing in and
logging a procedure work, and /health/ says the cache is down."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from rvuedge.cache_backend import ResilientRedisCache
from tests.factories import PASSWORD
from tracking.models import ProcedureLog

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: connecting fails at once, as with a Redis that has died.
DEAD_REDIS = {
    "default": {
        "BACKEND": "rvuedge.cache_backend.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_down():
    with override_settings(CACHES=DEAD_REDIS):
        ResilientRedisCache._down_until = 0.0
        yield
    ResilientRedisCache._down_until = 0.0


def test_the_cache_answers_a_miss_and_drops_writes(redis_down):
    cache.set("k", "v")

    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k"]) == {}
    assert cache.add("k", 1) is True  # a lock in a cache that is not there is granted


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/", "/cpt-codes/99213/"])
def test_pages_answer_while_redis_is_down(client, release, redis_down, path):
    response = client.get(path)

    assert response.status_code == (404 if "no-such" in path else 200)


def test_signing_in_and_logging_work_while_redis_is_down(client, attending, release, redis_down):
    response = client.post(
        reverse("account_login"), {"login": attending.email, "password": PASSWORD}
    )
    assert response.status_code == 302

    response = client.post(
        reverse("tracking:tracker"),
        {"text": "99213", "date": timezone.localdate(), "setting": "facility"},
    )

    assert response.status_code == 302
    assert ProcedureLog.objects.for_user(attending).count() == 1


def test_health_reports_the_cache_down(client, redis_down):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
