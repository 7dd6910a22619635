"""Staff authors and live articles, for the blog's posts and resources' guides. A conftest that
needs them imports the fixtures by name."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.text import slugify

from blog.models import AuthorProfile, Tag
from tests.factories import UserFactory


@pytest.fixture
def author(db):
    user = UserFactory(is_staff=True, email="writer@example.com")
    AuthorProfile.objects.create(user=user, display_name="Dana Writer", bio="Writes about RVUs.")
    return user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, email="staff@example.com")


def article_maker(model, author):
    """A function creating live articles of `model` (Post or Guide), with tags by name."""

    def make(**fields):
        tags = fields.pop("tags", [])
        defaults = {
            "title": "A post",
            "summary": "What it is about.",
            "body": "Some text.",
            "status": model.Status.PUBLISHED,
            "publish_at": timezone.now() - dt.timedelta(days=1),
            "author": author,
        }
        defaults.update(fields)
        defaults.setdefault("slug", slugify(defaults["title"]))
        article = model.objects.create(**defaults)
        for name in tags:
            tag, _ = Tag.objects.get_or_create(name=name, slug=slugify(name))
            article.tags.add(tag)
        return article

    return make
