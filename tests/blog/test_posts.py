"""Publishing, the list and post pages, code links and caching."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from blog.selectors import render_body, rendered_body

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)


def test_a_scheduled_post_appears_at_its_time_without_being_saved_again(make_post, client):
    with time_machine.travel(NOON, tick=False):
        post = make_post(
            title="Coming soon",
            status=Post.Status.SCHEDULED,
            publish_at=NOON + dt.timedelta(hours=2),
        )
        assert post not in Post.objects.published()
        assert client.get(post.get_absolute_url()).status_code == 404
        assert "Coming soon" not in client.get(reverse("blog:list")).text

    with time_machine.travel(NOON + dt.timedelta(hours=2), tick=False):
        assert post in Post.objects.published()
        assert client.get(post.get_absolute_url()).status_code == 200
        assert "Coming soon" in client.get(reverse("blog:list")).text
        assert "Coming soon" in client.get(reverse("blog:rss")).text


def test_drafts_and_future_published_posts_stay_hidden(make_post):
    with time_machine.travel(NOON, tick=False):
        draft = make_post(title="Draft", status=Post.Status.DRAFT, publish_at=None)
        later = make_post(title="Later", publish_at=NOON + dt.timedelta(days=1))
        live = make_post(title="Live", publish_at=NOON - dt.timedelta(minutes=1))

        assert list(Post.objects.published()) == [live]
        assert draft.publish_at is None and later not in Post.objects.published()


def test_publishing_without_a_time_sets_it_to_now(author):
    with time_machine.travel(NOON, tick=False):
        post = Post.objects.create(
            title="Now", slug="now", summary="s", body="b", author=author, status="published"
        )
    assert post.publish_at == NOON


def test_staff_can_preview_a_draft_that_visitors_cannot_see(make_post, client, staff):
    draft = make_post(title="Unfinished", status=Post.Status.DRAFT, publish_at=None)

    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Staff preview" in response.text
    assert '<meta name="robots" content="noindex">' in response.text


def test_the_list_pages_six_posts_at_a_time_newest_first(make_post, client):
    for day in range(8):
        make_post(title=f"Post {day}", publish_at=timezone.now() - dt.timedelta(days=day + 1))

    first = client.get(reverse("blog:list"))
    second = client.get(reverse("blog:list"), {"page": 2})

    assert [p.title for p in first.context["posts"]] == [f"Post {d}" for d in range(6)]
    assert [p.title for p in second.context["posts"]] == ["Post 6", "Post 7"]
    assert 'rel="next"' in first.text and 'href="?page=2"' in first.text
    assert client.get(reverse("blog:list"), {"page": 3}).status_code == 404


def test_the_tag_filter_shows_only_posts_with_the_tag(make_post, client):
    make_post(title="About GPCI", tags=["GPCI"])
    make_post(title="About modifiers", tags=["modifiers"])

    response = client.get(reverse("blog:list"), {"tag": "gpci"})

    assert [p.title for p in response.context["posts"]] == ["About GPCI"]
    assert "Showing 1 post" in response.text
    unknown = client.get(reverse("blog:list"), {"tag": "no-such-tag"})
    assert list(unknown.context["posts"]) == [] and "no topic by that name" in unknown.text


def test_the_audience_filter_keeps_posts_for_everyone(make_post, client):
    make_post(title="For residents", audience="residents")
    make_post(title="For attendings", audience="attendings")
    make_post(title="For all", audience="everyone")

    response = client.get(reverse("blog:list"), {"audience": "residents"})

    assert {p.title for p in response.context["posts"]} == {"For residents", "For all"}
    bogus = client.get(reverse("blog:list"), {"audience": "<script>"})
    assert len(bogus.context["posts"]) == 3


def test_filters_carry_over_to_the_next_page(make_post, client):
    for day in range(7):
        make_post(title=f"GPCI {day}", tags=["GPCI"], audience="residents")

    response = client.get(reverse("blog:list"), {"tag": "gpci", "audience": "residents"})

    assert 'href="?tag=gpci&amp;audience=residents&amp;page=2"' in response.text


def test_post_page_has_contents_reading_time_author_share_and_metadata(make_post, client):
    words = " ".join(["word"] * 460)
    post = make_post(
        title="How GPCIs work",
        summary="Geographic indices, explained.",
        body=f"## First part\n\n{words}\n\n### A detail\n\nMore.\n\n## Second part\n\nEnd.",
        tags=["GPCI"],
    )
    related = make_post(title="Another GPCI post", tags=["GPCI"])
    make_post(title="Unrelated", tags=["modifiers"], audience="attendings")

    response = client.get(post.get_absolute_url())
    text = response.text

    assert response.context["body"].reading_minutes == 3  # 465 words at 230 a minute
    assert [h.text for h in response.context["body"].headings] == [
        "First part",
        "A detail",
        "Second part",
    ]
    assert '<a href="#first-part">First part</a>' in text
    assert "Dana Writer" in text and "Writes about RVUs." in text
    assert response.context["related"] == [related]
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in text
    # Share links are plain links: every script the page loads is our own.
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', text))
    canonical = f"http://localhost:8000/blog/{post.slug}/"
    assert f'<link rel="canonical" href="{canonical}">' in text
    assert '<meta property="og:type" content="article">' in text
    assert '<meta name="description" content="Geographic indices, explained.">' in text

    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(ld)
    assert data["@type"] == "Article" and data["headline"] == "How GPCIs work"
    assert data["author"] == {"@type": "Person", "name": "Dana Writer"}
    assert data["mainEntityOfPage"]["@id"] == canonical


def test_json_ld_cannot_close_its_script_element(make_post, client):
    post = make_post(title="</script><script>alert(1)</script>", slug="tricky")

    text = client.get(post.get_absolute_url()).text

    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert json.loads(ld)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in text


def test_code_mentions_link_only_to_codes_in_the_current_release(rvu25d, make_post, client):
    post = make_post(
        body="Bill 99213 or J3490, not 12345 or A9999. In code: `99214`.\n\n## About 99215\n",
    )

    html = client.get(post.get_absolute_url()).context["body"].html

    assert '<a class="code-link" href="/cpt-codes/99213/"' in html
    assert '<a class="code-link" href="/cpt-codes/J3490/"' in html
    assert "/cpt-codes/12345/" not in html and "/cpt-codes/A9999/" not in html
    assert "<code>99214</code>" in html  # code spans stay literal
    assert "/cpt-codes/99215/" not in html  # headings are not linked


def test_numbers_that_only_look_like_codes_are_left_alone(rvu25d):
    body = render_body("Paid $99213.50, ID X99213, 99213.5 units, 2026.", release_name="RVU25D")

    assert "code-link" not in body.html


def test_rendering_looks_codes_up_in_one_query(rvu25d, django_assert_num_queries):
    text = "99213, 99214, 99215, 47562, J3490, 12345 and 27447. " * 20

    with django_assert_num_queries(1):
        body = render_body(text, release_name=rvu25d.name)

    assert body.html.count("code-link") == 20 * 6


def test_the_rendered_body_is_cached_per_post_and_release(
    rvu25d, make_post, django_assert_num_queries
):
    post = make_post(body="See 99213.")
    first = rendered_body(post)

    with django_assert_num_queries(0):
        assert rendered_body(post) == first

    post.body = "See 99214."
    post.save()
    assert "/cpt-codes/99214/" in rendered_body(post).html


def test_a_new_current_release_renders_the_links_again(rvu25d, rvu26c, make_post):
    post = make_post(body="See 99213.")

    body = rendered_body(post)

    assert "/cpt-codes/99213/" in body.html
