"""The sitemap's guides section lists live guides only; the pages section the resources pages."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from resources.models import Guide

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, url):
    return [loc.text for loc in ET.fromstring(client.get(url).content).iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_live_guides_only(client, make_guide, make_post):
    make_guide(title="A guide", order=2)
    make_guide(title="First guide", order=1)
    make_guide(title="Draft guide", status=Guide.Status.DRAFT, publish_at=None)
    make_post(title="A post")

    assert any(url.endswith("/sitemap-guides.xml") for url in locations(client, reverse("sitemap")))
    assert locations(client, "/sitemap-guides.xml") == [
        "http://testserver/resources/guides/first-guide/",
        "http://testserver/resources/guides/a-guide/",
    ]


def test_the_pages_section_lists_the_resources_and_career_pages(client, db):
    pages = set(locations(client, "/sitemap-pages.xml"))

    for path in (
        "/resources/",
        "/resources/glossary/",
        "/resources/medicare-payment-calculator/",
        "/medical-students/",
        "/residents/",
        "/attendings/",
    ):
        assert f"http://testserver{path}" in pages
