"""load_blog_content, the admin's live preview, cover images, disclaimer, user data."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.services import user_delete
from blog.models import Post
from blog.services import EDITORIAL_NAME, editorial_author_get_or_create
from blog.validators import validate_cover_image

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "blog" / "content"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def load(*args):
    out = io.StringIO()
    call_command("load_blog_content", *args, stdout=out)
    return out.getvalue()


def test_load_blog_content_loads_every_post_once(client):
    first = load()
    again = load()

    assert "7 created, 0 updated, 0 unchanged" in first
    assert "0 created, 0 updated, 7 unchanged" in again
    assert Post.objects.count() == 7
    author = editorial_author_get_or_create()
    assert author.is_staff and not author.has_usable_password()
    assert author.author_profile.display_name == EDITORIAL_NAME
    assert set(Post.objects.values_list("author", flat=True)) == {author.pk}
    wrvu = Post.objects.get(slug="what-is-a-wrvu")
    assert {t.name for t in wrvu.tags.all()} == {"wRVU", "productivity", "fee schedule basics"}
    assert client.get("/blog/what-is-a-wrvu/").status_code == 200


def test_a_reload_updates_a_changed_article(tmp_path):
    (tmp_path / "posts").mkdir()
    source = CONTENT / "posts" / "what-is-a-wrvu.md"
    target = tmp_path / "posts" / source.name
    target.write_text(source.read_text())
    load("--directory", str(tmp_path))

    target.write_text(source.read_text().replace("A work RVU is", "A wRVU is", 1))
    out = load("--directory", str(tmp_path))

    assert "0 created, 1 updated, 0 unchanged" in out
    assert Post.objects.get(slug="what-is-a-wrvu").summary.startswith("A wRVU is")


def test_dry_run_saves_nothing():
    out = load("--dry-run")

    assert "Would load blog content: 7 created" in out
    assert not Post.objects.exists()


def test_articles_dated_in_the_future_are_scheduled_and_go_live_on_their_day(client):
    with time_machine.travel(dt.datetime(2026, 9, 1, tzinfo=dt.UTC), tick=False):
        load()
        post = Post.objects.get(slug="medical-students-guide-to-cpt-and-rvus")  # Oct 6, 2026
        assert post.status == Post.Status.SCHEDULED
        assert client.get(post.get_absolute_url()).status_code == 404
    with time_machine.travel(dt.datetime(2026, 10, 6, 14, tzinfo=dt.UTC), tick=False):
        assert client.get(post.get_absolute_url()).status_code == 200


def test_a_document_without_front_matter_is_refused(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "bad.md").write_text("# No front matter\n")

    with pytest.raises(CommandError, match=r"bad\.md: no front matter"):
        load("--directory", str(tmp_path))


def test_staff_get_the_sanitized_preview(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("blog:preview"), {"body": "## Hi\n\n<img src=x onerror=alert(1)> **bold**"}
    )

    assert response.status_code == 200
    assert '<h2 id="hi">' in response.text and "<strong>bold</strong>" in response.text
    assert "onerror" not in response.text


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_staff_may_use_the_preview(client, who):
    from tests.factories import UserFactory

    if who == "member":
        client.force_login(UserFactory())
    response = client.post(reverse("blog:preview"), {"body": "hi"})

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_preview_refuses_get(client, staff):
    client.force_login(staff)

    assert client.get(reverse("blog:preview")).status_code == 405


def test_the_admin_post_form_has_the_preview_panel(client, author):
    from tests.factories import UserFactory, sign_in

    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)  # the admin opens only to a sign-in through allauth

    response = client.get(reverse("admin:blog_post_add"))

    assert response.status_code == 200
    assert 'id="post-preview" data-preview-url="/blog/preview/"' in response.text
    assert "js/blog-admin-preview.js" in response.text
    # Only staff can be chosen as the author.
    options = re.findall(r'<option value="(\d+)"', response.text.split('name="author"')[1])
    assert str(author.pk) in options and all(o in {str(author.pk), str(admin.pk)} for o in options)


@pytest.mark.parametrize("data", [PNG, JPEG, WEBP])
def test_cover_images_are_accepted_by_content(data):
    validate_cover_image(SimpleUploadedFile("anything.txt", data))


def test_a_cover_image_that_is_not_an_image_is_refused_whatever_its_name():
    fake = SimpleUploadedFile("cover.png", b"<svg onload=alert(1)></svg>")

    with pytest.raises(ValidationError, match="PNG, JPEG or WebP"):
        validate_cover_image(fake)


def test_a_cover_image_over_the_limit_is_refused(settings):
    settings.BLOG_COVER_MAX_BYTES = 100

    with pytest.raises(ValidationError, match="the limit is 100"):
        validate_cover_image(SimpleUploadedFile("big.png", PNG + b"\x00" * 100))


def test_the_stored_cover_takes_its_extension_from_its_content(make_post, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = make_post(title="With cover")
    post.cover_image = SimpleUploadedFile("cover.gif", JPEG)
    post.full_clean()
    post.save()

    assert re.fullmatch(r"blog/covers/with-cover-[0-9a-f]{8}\.jpg", post.cover_image.name)


def test_the_disclaimer_is_linked_from_every_page(client):
    response = client.get(reverse("disclaimer"))

    assert "Not medical advice" in response.text
    assert "No patient information" in response.text
    assert 'href="/disclaimer/">Disclaimer</a>' in client.get("/").text


def test_deleting_an_author_hands_their_posts_to_the_editorial_team(make_post, author):
    post = make_post(title="Mine")

    user_delete(user=author)

    post.refresh_from_db()
    assert post.author.author_profile.display_name == EDITORIAL_NAME
