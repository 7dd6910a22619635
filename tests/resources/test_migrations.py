"""Guides were blog posts of kind "guide": the data migration moves each one to resources.Guide
with its tags, author, schedule and timestamps, and moves them back when reversed."""

import datetime as dt

import pytest

from blog.models import Post, Tag
from resources.models import Guide
from tests.factories import UserFactory
from tests.migrations_helper import migrated_back_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0001_initial"), ("resources", None)]
WRITTEN = dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC)
LIVE = dt.datetime(2025, 3, 5, 9, tzinfo=dt.UTC)


def old_article(apps, author, kind, slug, **fields):
    OldPost = apps.get_model("blog", "Post")
    article = OldPost.objects.create(
        kind=kind, slug=slug, title=slug.title(), summary="s", body=f"Body of {slug}.",
        author_id=author.pk, status="published", publish_at=LIVE, **fields,
    )  # fmt: skip
    OldPost.objects.filter(pk=article.pk).update(created_at=WRITTEN, updated_at=WRITTEN)
    return article


def test_guides_move_out_of_the_blog_and_posts_stay():
    author = UserFactory(is_staff=True)
    with migrated_back_to(BEFORE) as apps:
        tag = apps.get_model("blog", "Tag").objects.create(name="GPCI", slug="gpci")
        guide = old_article(apps, author, "guide", "localities", order=2, audience="residents")
        guide.tags.add(tag)
        old_article(apps, author, "post", "localities")  # same slug, the other kind
        old_article(apps, author, "post", "news")

    moved = Guide.objects.get()
    assert (moved.slug, moved.order, moved.audience, moved.body) == (
        "localities", 2, "residents", "Body of localities.",
    )  # fmt: skip
    assert (moved.author, moved.status, moved.publish_at) == (author, "published", LIVE)
    assert (moved.created_at, moved.updated_at) == (WRITTEN, WRITTEN)
    assert [t.name for t in moved.tags.all()] == ["GPCI"]
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["localities", "news"]
    assert Tag.objects.get().posts.count() == 0


def test_reversing_puts_the_guides_back_as_blog_posts():
    author = UserFactory(is_staff=True)
    guide = Guide.objects.create(
        title="G", slug="g", summary="s", body="b", author=author, status="published",
        publish_at=LIVE, order=3,
    )  # fmt: skip
    guide.tags.add(Tag.objects.create(name="CMS", slug="cms"))

    with migrated_back_to(BEFORE) as apps:
        OldPost = apps.get_model("blog", "Post")
        old = OldPost.objects.get(slug="g")
        assert (old.kind, old.order, old.author_id) == ("guide", 3, author.pk)
        assert [t.slug for t in old.tags.all()] == ["cms"]

    assert Guide.objects.get().slug == "g"  # and forward again moves it out
