"""Fixtures for the blog, resources and career pages: slices of the real CMS files imported
through the real importer, staff authors and posts."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.text import slugify

from blog.models import AuthorProfile, Post, Tag
from codes.services import release_import
from tests.cms_files import RVU26C_PPRRVU, copy_real, pprrvu_slice
from tests.factories import UserFactory

# The real rows the pages and tests use.
CODES = {
    "99213", "99214", "99215", "99204", "99223", "G2211", "J3490", "47562", "44970", "27447",
    "70450", "71046", "93005", "45378", "45380",
}  # fmt: skip


@pytest.fixture
def rvu25d(db, tmp_path):
    """RVU25D, current: the real PPRRVU rows of CODES and the real GPCI file (109 localities)."""
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes=CODES)
    copy_real(folder, "RVU25D", "GPCI2025.csv")
    return release_import(source=folder, make_current=True).release


@pytest.fixture
def rvu26c(rvu25d, tmp_path):
    """RVU26C made current: PPRRVU only, so its localities are borrowed from RVU25D."""
    path = pprrvu_slice(tmp_path / RVU26C_PPRRVU, source=("RVU26C", RVU26C_PPRRVU), codes=CODES)
    return release_import(source=path, make_current=True).release


@pytest.fixture
def author(db):
    user = UserFactory(is_staff=True, email="writer@example.com")
    AuthorProfile.objects.create(user=user, display_name="Dana Writer", bio="Writes about RVUs.")
    return user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, email="staff@example.com")


@pytest.fixture
def make_post(author):
    def make(**fields):
        tags = fields.pop("tags", [])
        defaults = {
            "title": "A post",
            "summary": "What it is about.",
            "body": "Some text.",
            "status": Post.Status.PUBLISHED,
            "publish_at": timezone.now() - dt.timedelta(days=1),
            "author": author,
        }
        defaults.update(fields)
        defaults.setdefault("slug", slugify(defaults["title"]))
        post = Post.objects.create(**defaults)
        for name in tags:
            tag, _ = Tag.objects.get_or_create(name=name, slug=slugify(name))
            post.tags.add(tag)
        return post

    return make
