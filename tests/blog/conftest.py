"""Fixtures for the blog: staff authors and posts, and real releases for the code links."""

import pytest

from blog.models import Post
from tests.content_fixtures import article_maker, author, staff  # noqa: F401 (fixtures by name)
from tests.release_fixtures import rvu25d, rvu26c  # noqa: F401 (fixtures used by name)


@pytest.fixture
def make_post(author):  # noqa: F811 (the fixture imported above)
    return article_maker(Post, author)
