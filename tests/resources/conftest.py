"""Fixtures for the resources pages: real releases for the calculators and career pages, and
guides written by a staff author."""

import pytest

from blog.models import Post
from resources.models import Guide
from tests.content_fixtures import article_maker, author, staff  # noqa: F401 (fixtures by name)
from tests.release_fixtures import rvu25d, rvu26c  # noqa: F401 (fixtures used by name)


@pytest.fixture
def make_guide(author):  # noqa: F811 (the fixture imported above)
    return article_maker(Guide, author)


@pytest.fixture
def make_post(author):  # noqa: F811
    return article_maker(Post, author)
