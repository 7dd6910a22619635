import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAV_LABELS = [
    "Home",
    "Career Stage",
    "Medical Students",
    "Residents",
    "Attendings",
    "CPT Codes",
    "Resources",
    "Blog",
    "Support",
]


def test_health_reports_database_cache_and_broker(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "cache": {"ok": True}, "broker": {"ok": True}},
    }


def test_health_shows_staff_what_each_component_is(client):
    client.force_login(UserFactory(is_staff=True))

    checks = client.get(reverse("health")).json()["checks"]

    assert checks["database"] == {"ok": True, "detail": connection.vendor}
    broker = "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "redis://"
    assert checks["broker"]["detail"].startswith(broker)


PUBLIC_PAGES = [
    "/", "/privacy/", "/terms/", "/disclaimer/", "/accounts/login/", "/accounts/signup/",
    "/medical-students/", "/residents/", "/attendings/", "/cpt-codes/", "/cpt-codes/99213/",
    "/cpt-codes/J3490/", "/cpt-codes/search/?q=knee", "/resources/", "/resources/glossary/",
    "/resources/wrvu-calculator/", "/resources/medicare-payment-calculator/",
    "/resources/benchmarks/", "/blog/", "/support/", "/support/faq/", "/support/contact/",
]  # fmt: skip
SIGNED_IN_PAGES = [
    "/track/", "/track/dashboard/", "/track/history/", "/track/templates/", "/track/locations/",
    "/track/goals/", "/track/policy/", "/track/reprice/", "/track/reports/", "/track/import/",
    "/track/case-log/", "/track/learning/", "/accounts/settings/", "/accounts/settings/tokens/",
    "/support/tickets/",
]  # fmt: skip


def assert_site_shell(html):
    for label in NAV_LABELS:
        assert f">{label}<" in html, label
    assert "CPT® is a registered trademark of the American Medical Association" in html
    assert "Data: CMS Physician Fee Schedule RVU25D" in html


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_carries_the_navigation_and_trademark_notice(client, release, path):
    response = client.get(path)

    assert response.status_code == 200, path
    assert_site_shell(response.content.decode())


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_every_signed_in_page_carries_them_too(client, release, attending, path):
    client.force_login(attending)
    response = client.get(path)

    assert response.status_code == 200, path
    assert_site_shell(response.content.decode())


def test_unknown_page_is_a_404_in_the_site_look(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_health_is_503_and_names_the_failing_service(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


# Sessions are read from the cache (cached_db); these tests swap in a cache that raises (the
# site's own swallows the error and reads the session from the database).
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


def test_a_failing_component_tells_the_public_only_that_it_failed(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.SESSION_ENGINE = DATABASE_SESSIONS  # the plain cache under test raises
    client.force_login(UserFactory())  # signed in, but not staff

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False}
    assert "127.0.0.1" not in response.content.decode()  # no host, port or error text
    assert "127.0.0.1:1" in caplog.text  # the detail is in the log


def test_staff_see_why_a_component_failed(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.SESSION_ENGINE = DATABASE_SESSIONS  # the plain cache under test raises
    client.force_login(UserFactory(is_staff=True))

    cache_check = client.get(reverse("health")).json()["checks"]["cache"]

    assert cache_check["ok"] is False and cache_check["detail"]
