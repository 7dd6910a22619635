import pytest
from django.urls import reverse

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
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": "postgresql"}
    assert body["checks"]["cache"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.parametrize(
    "url_name", ["home", "privacy", "terms", "account_login", "account_signup"]
)
def test_every_page_carries_the_navigation_and_trademark_notice(client, url_name):
    html = client.get(reverse(url_name)).content.decode()

    for label in NAV_LABELS:
        assert f">{label}<" in html, label
    assert "CPT® is a registered trademark of the American Medical Association" in html


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
