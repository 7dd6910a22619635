"""The public wRVU calculator: codes' quick-entry reader and credit engine, nothing saved.

The `release` fixture (tests/conftest.py) holds the real RVU25D rows: 19303 has a work RVU of
15.00 and 47562 of 10.47.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_public_calculator_credits_without_signing_in(client, release):
    html = client.get(reverse("wrvu_calculator"), {"codes": "19303 47562-62"}).content.decode()

    assert "62: co-surgeon at 62.5%" in html
    assert "18.27" in html  # 15.00 + 10.47 x 62.5% x 50%


def test_public_calculator_partial_marks_bad_lines(client, release):
    html = client.post(
        reverse("wrvu_calculator"),
        {"text": "99213 99999", "setting": "facility"},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert "99999 is not a code in this fee schedule release." in html
    assert "<html" not in html


def test_another_loaded_release_can_be_chosen(client, newer_release):
    default = client.get(reverse("wrvu_calculator"), {"codes": "99213"})
    chosen = client.get(reverse("wrvu_calculator"), {"codes": "99213", "release": "RVU26C"})

    assert default.context["release"].name == "RVU25D"  # the current release
    assert chosen.context["release"] == newer_release
    assert {r.name for r in chosen.context["releases"]} == {"RVU25D", "RVU26C"}


def test_the_calculator_needs_an_imported_release(client):
    assert client.get(reverse("wrvu_calculator")).status_code == 404
