"""Every `next` a request names is followed only when it stays on this site."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from rvuedge.redirects import safe_next

pytestmark = pytest.mark.django_db

HOSTILE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    " https://evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_favourite_toggle_never_redirects_off_site(client, attending, release, target):
    client.force_login(attending)

    response = client.post(reverse("tracking:favorite_toggle", args=["99213"]), {"next": target})

    assert response.status_code == 302
    assert response.url == reverse("tracking:tracker")


def test_the_favourite_toggle_follows_a_next_on_this_site(client, attending, release):
    client.force_login(attending)
    back = reverse("codes:detail", args=["99213"]) + "?locality=01#payment"

    response = client.post(reverse("tracking:favorite_toggle", args=["99213"]), {"next": back})

    assert response.url == back


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_falls_back_for_hostile_targets(target):
    request = RequestFactory().get("/", {"next": target})

    assert safe_next(request, "/track/") == "/track/"


def test_safe_next_keeps_an_absolute_url_on_this_host_and_resolves_url_names():
    request = RequestFactory().post("/", {"next": "http://testserver/cpt-codes/"})

    assert safe_next(request, "home") == "http://testserver/cpt-codes/"
    assert safe_next(RequestFactory().get("/"), "home") == reverse("home")
