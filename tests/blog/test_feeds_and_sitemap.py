"""RSS 2.0 and Atom feeds parse and carry the required elements; the sitemap lists posts."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def posts(make_post):
    live = make_post(title="Live & well <b>", summary="About RVUs.", tags=["wRVU", "GPCI"])
    make_post(title="Draft", status=Post.Status.DRAFT, publish_at=None)
    make_post(
        title="Tomorrow",
        status=Post.Status.SCHEDULED,
        publish_at=timezone.now() + dt.timedelta(days=1),
    )
    return live


def test_rss_is_valid_rss_2_with_the_required_elements(client, posts):
    response = client.get(reverse("blog:rss"))

    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for name in ("title", "link", "description"):
        assert channel.findtext(name), name
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Live & well <b>"]
    item = items[0]
    assert item.findtext("link") == f"http://testserver/blog/{posts.slug}/"
    assert item.findtext("description") == "About RVUs."
    assert item.findtext("guid") and item.findtext("pubDate")
    assert dt.datetime.strptime(item.findtext("pubDate"), "%a, %d %b %Y %H:%M:%S %z")
    assert sorted(c.text for c in item.findall("category")) == ["GPCI", "wRVU"]


def test_atom_is_valid_atom_with_the_required_elements(client, posts):
    response = client.get(reverse("blog:atom"))

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{name}"), name
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    for name in ("id", "title", "updated", "summary"):
        assert entry.findtext(f"{ATOM}{name}"), name
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/blog/{posts.slug}/"
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Dana Writer"


def test_the_sitemap_lists_live_posts_only(client, posts):
    index = ET.fromstring(client.get(reverse("sitemap")).content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert any(url.endswith("/sitemap-blog.xml") for url in sections)

    blog = ET.fromstring(client.get("/sitemap-blog.xml").content)
    urls = [loc.text for loc in blog.iter(f"{SITEMAP}loc")]
    assert urls == [f"http://testserver/blog/{posts.slug}/"]

    pages = ET.fromstring(client.get("/sitemap-pages.xml").content)
    assert "http://testserver/blog/" in {loc.text for loc in pages.iter(f"{SITEMAP}loc")}
