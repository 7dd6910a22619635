"""load_resources_content, guide pages and their admin, the resources index and the glossary."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_delete
from blog.models import Post
from blog.services import EDITORIAL_NAME, editorial_author_get_or_create
from resources.models import Guide

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "resources" / "content"


def load(*args):
    out = io.StringIO()
    call_command("load_resources_content", *args, stdout=out)
    return out.getvalue()


def test_load_resources_content_loads_every_guide_once(client):
    first = load()
    again = load()

    assert "Loaded resource guides: 3 created, 0 updated, 0 unchanged" in first
    assert "0 created, 0 updated, 3 unchanged" in again
    assert list(Guide.objects.order_by("order").values_list("slug", flat=True)) == [
        "understanding-the-pprrvu-file",
        "medicare-localities-and-gpcis",
        "global-surgery-periods-explained",
    ]
    assert not Post.objects.exists()  # guides are not blog posts
    author = editorial_author_get_or_create()
    assert set(Guide.objects.values_list("author", flat=True)) == {author.pk}
    pprrvu = Guide.objects.get(slug="understanding-the-pprrvu-file")
    assert {t.name for t in pprrvu.tags.all()} == {
        "PPRRVU", "fee schedule indicators", "CMS files", "reference",
    }  # fmt: skip
    response = client.get("/resources/guides/understanding-the-pprrvu-file/")
    assert response.status_code == 200
    assert response.context["author_profile"].display_name == EDITORIAL_NAME


def test_a_reload_updates_a_changed_guide(tmp_path):
    (tmp_path / "guides").mkdir()
    source = CONTENT / "guides" / "understanding-the-pprrvu-file.md"
    target = tmp_path / "guides" / source.name
    target.write_text(source.read_text())
    load("--directory", str(tmp_path))

    target.write_text(source.read_text().replace("order: 1", "order: 7", 1))
    out = load("--directory", str(tmp_path), "-v", "2")

    assert "0 created, 1 updated, 0 unchanged" in out
    assert "updated: guide:understanding-the-pprrvu-file" in out
    assert Guide.objects.get().order == 7


def test_dry_run_saves_no_guide():
    out = load("--dry-run")

    assert "Would load resource guides: 3 created" in out
    assert not Guide.objects.exists()


def test_a_guide_without_front_matter_is_refused(tmp_path):
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "bad.md").write_text("# No front matter\n")

    with pytest.raises(CommandError, match=r"bad\.md: no front matter"):
        load("--directory", str(tmp_path))


def test_a_guide_page_links_its_related_guides_not_posts(client, make_guide, make_post):
    guide = make_guide(title="Reading the file", tags=["PPRRVU"])
    sibling = make_guide(title="Indicators", tags=["PPRRVU"])
    make_post(title="A post on PPRRVU", tags=["PPRRVU"])

    response = client.get(guide.get_absolute_url())

    assert response.context["related"] == [sibling]
    assert "Related guides" in response.text
    assert 'href="/resources/">Resources</a>' in response.text


def test_a_guide_and_a_post_may_share_a_slug(client, make_guide, make_post):
    make_guide(title="Same", body="The guide.")
    make_post(title="Same", body="The post.")

    assert "The guide." in client.get("/resources/guides/same/").text
    assert "The post." in client.get("/blog/same/").text


def test_staff_preview_a_draft_guide_that_visitors_cannot_see(client, make_guide, staff):
    guide = make_guide(title="Draft guide", status=Guide.Status.DRAFT, publish_at=None)

    assert client.get(guide.get_absolute_url()).status_code == 404
    client.force_login(staff)
    response = client.get(guide.get_absolute_url())

    assert response.status_code == 200
    assert "Staff preview: this resource guide is draft" in response.text


def test_a_scheduled_guide_is_not_listed_until_its_time(client, make_guide):
    make_guide(title="Live guide")
    make_guide(
        title="Later guide",
        status=Guide.Status.SCHEDULED,
        publish_at=timezone.now() + dt.timedelta(days=1),
    )

    titles = [g.title for g in client.get(reverse("resources:index")).context["guides"]]

    assert titles == ["Live guide"]


def test_the_admin_guide_form_has_the_preview_panel_and_the_order(client, author):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:resources_guide_add"))

    assert response.status_code == 200
    assert 'id="post-preview" data-preview-url="/blog/preview/"' in response.text
    assert 'name="order"' in response.text and 'name="kind"' not in response.text


def test_deleting_an_author_hands_their_guides_to_the_editorial_team(make_guide, author):
    guide = make_guide(title="Mine")

    user_delete(user=author)

    guide.refresh_from_db()
    assert guide.author.author_profile.display_name == EDITORIAL_NAME


def test_an_author_downloads_the_guides_they_wrote(make_guide, author):
    from resources.user_data import export_guides

    make_guide(title="Mine")

    assert [row["slug"] for row in export_guides(author)] == ["mine"]


def test_the_glossary_has_an_anchor_per_term_grouped_by_category(client):
    response = client.get(reverse("resources:glossary"))
    text = response.text

    assert response.context["term_count"] == 136
    assert 'id="status-code-a"' in text and 'id="category-status-code"' in text
    ids = re.findall(r'<div class="glossary-term" id="([^"]+)"', text)
    assert len(ids) == 136 == len(set(ids))
    headings = [g.heading for g in response.context["groups"]]
    assert headings == [
        "Payment",
        "Status codes",
        "Global days",
        "Payment-policy indicators",
        "Modifiers",
    ]
    assert "js/glossary-search.js" in text


def test_the_resources_index_links_every_tool_and_guide(client):
    load()

    text = client.get(reverse("resources:index")).text

    for href in (
        "/resources/wrvu-calculator/",
        "/resources/medicare-payment-calculator/",
        "/resources/benchmarks/",
        "/resources/glossary/",
        "/resources/guides/understanding-the-pprrvu-file/",
    ):
        assert f'href="{href}"' in text
