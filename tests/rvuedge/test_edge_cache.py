"""The edge cache (rvuedge/edge_cache.py): which pages are shared, the headers nginx or a CDN
acts on, hits served without the database, and a content change (an edit, a new release, a blog
post, a new day) served at once. Code pages come from the RVU25D slice (the `release` fixture)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path, reverse
from django.utils.http import http_date

from blog.models import Post
from codes import services as codes_services
from codes.models import Code, CodeContent
from rvuedge import edge_cache
from tests.content_fixtures import article_maker, author, staff  # noqa: F401 (fixtures by name)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE_PAGE = "/cpt-codes/99213/"
SHARED = re.compile(
    r"public, max-age=(\d+), s-maxage=(\d+), stale-while-revalidate=30, stale-if-error=86400"
)


@edge_cache.shared
def sets_a_cookie(request):
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


@edge_cache.shared
def uses_csrf(request):
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


@edge_cache.shared
def plain(request):
    return HttpResponse("the same for everyone")


@edge_cache.shared
def changed_meanwhile(request):
    edge_cache.bump()  # an edit committed while the page was being made
    return HttpResponse("perhaps the old content")


urlpatterns = [
    path("edge/changed/", changed_meanwhile),
    path("edge/cookie/", sets_a_cookie),
    path("edge/csrf/", uses_csrf),
    path("edge/plain/", plain),
    path("", include("rvuedge.urls")),
]


# --- What is shared, and the headers --------------------------------------------------------


def test_an_anonymous_code_page_says_any_cache_may_keep_it(client, release):
    response = client.get(CODE_PAGE)

    assert response.status_code == 200
    browser, shared = map(int, SHARED.fullmatch(response["Cache-Control"]).groups())
    assert browser == 0 and 0 < shared <= settings.EDGE_CACHE_SECONDS
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Vary"] == "Accept-Encoding"
    assert not response.cookies


def test_a_signed_in_visitor_gets_private_pages(client, release):
    client.force_login(UserFactory())

    assert client.get(CODE_PAGE)["Cache-Control"] == "private"
    assert client.get(reverse("tracking:dashboard"))["Cache-Control"] == "private"


def test_a_visitor_with_a_session_cookie_is_not_served_the_shared_copy(client, release):
    client.get(CODE_PAGE)
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"

    response = client.get(CODE_PAGE)

    assert response.templates  # the view ran
    assert response["Cache-Control"] == "private"


def test_a_pending_message_keeps_the_page_private(client, release):
    client.get(CODE_PAGE)
    client.cookies["messages"] = "anything"

    assert client.get(CODE_PAGE)["Cache-Control"] == "private"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/edge/cookie/", "/edge/csrf/"])
def test_a_page_that_sets_a_cookie_or_uses_csrf_is_not_shared(client, url):
    for _ in range(2):
        response = client.get(url)
        assert response["Cache-Control"] == "private"
        assert response.cookies

    assert "ETag" not in response


@pytest.mark.urls(__name__)
def test_a_query_the_view_does_not_read_is_not_shared(client):
    assert client.get("/edge/plain/")["Cache-Control"].startswith("public")
    assert client.get("/edge/plain/", {"utm_source": "x"})["Cache-Control"] == "private"


def test_the_public_pages_are_shared(client, release, author):  # noqa: F811
    from resources.models import Guide
    from support.models import Question, Topic

    post = article_maker(Post, author)(title="A post")
    guide = article_maker(Guide, author)(title="A guide")
    Question.objects.create(slug="why", question="Why?", answer="Because.", is_published=True)
    Topic.objects.create(title="Logging", slug="logging")
    urls = [
        "/", "/medical-students/", "/residents/", "/attendings/", "/cpt-codes/", CODE_PAGE,
        "/cpt-codes/browse/evaluation-and-management/", "/blog/", post.get_absolute_url(),
        "/resources/", guide.get_absolute_url(), "/resources/glossary/", "/support/",
        "/support/faq/", "/cpt-codes/search/?q=office+visit", "/cpt-codes/search/?q=zzz&page=2",
    ]  # fmt: skip

    private = [url for url in urls if not client.get(url)["Cache-Control"].startswith("public")]

    assert private == []


# --- Hits ----------------------------------------------------------------------------------


def test_a_hit_touches_no_session_user_or_database(client, release, django_assert_num_queries):
    first = client.get(CODE_PAGE)

    with django_assert_num_queries(0):
        again = client.get(CODE_PAGE)
    edge_cache._recent.clear()  # another process: the copy in the Django cache
    with django_assert_num_queries(0):
        elsewhere = client.get(CODE_PAGE)

    assert again.content == elsewhere.content == first.content
    assert again["ETag"] == first["ETag"]
    assert not again.templates and not elsewhere.templates


def test_a_hit_keeps_the_headers_the_inner_middleware_added(client, release):
    first = client.get(CODE_PAGE)

    again = client.get(CODE_PAGE)

    assert not again.templates  # served from the stored copy
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert again[header] == first[header] != ""


def test_a_current_copy_is_answered_304_without_a_body(client, release, django_assert_num_queries):
    etag = client.get(CODE_PAGE)["ETag"]

    with django_assert_num_queries(0):
        response = client.get(CODE_PAGE, headers={"if-none-match": etag})

    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    assert client.get(CODE_PAGE, headers={"if-none-match": '"other"'}).status_code == 200


def test_head_is_answered_from_the_stored_copy(client, release, django_assert_num_queries):
    first = client.head(CODE_PAGE)
    assert first.status_code == 200 and first["Cache-Control"].startswith("public")
    body = client.get(CODE_PAGE).content

    with django_assert_num_queries(0):
        response = client.head(CODE_PAGE)

    assert response.status_code == 200 and response.content == b""
    assert response["Content-Length"] == str(len(body))


# --- A change is served at once ----------------------------------------------------------------


def test_an_editorial_edit_is_served_at_once(client, release, django_capture_on_commit_callbacks):
    client.get(CODE_PAGE)
    content, _ = CodeContent.objects.get_or_create(code=Code.objects.get(code="99213"))
    content.plain_language = "A follow-up visit, said plainly."
    with django_capture_on_commit_callbacks(execute=True):
        content.save()

    assert "A follow-up visit, said plainly." in client.get(CODE_PAGE).content.decode()


def test_a_new_current_release_is_served_at_once(
    client, release, newer_release, django_capture_on_commit_callbacks
):
    assert "RVU25D" in client.get(CODE_PAGE).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        codes_services.release_make_current(release=newer_release)

    assert "RVU26C" in client.get(CODE_PAGE).content.decode()


@pytest.mark.urls(__name__)
def test_a_page_made_while_a_change_was_committed_is_not_shared(client):
    before = edge_cache.current_version()

    response = client.get("/edge/changed/")

    assert response["Cache-Control"] == "private"
    assert edge_cache.lookup(edge_cache.page_key(before, "/edge/changed/", "")) is None


def test_a_blog_edit_is_served_at_once(client, author, django_capture_on_commit_callbacks):  # noqa: F811
    post = article_maker(Post, author)(title="First title")
    assert "First title" in client.get(reverse("blog:list")).content.decode()

    post.title = "Second title"
    with django_capture_on_commit_callbacks(execute=True):
        post.save()

    assert "Second title" in client.get(reverse("blog:list")).content.decode()


# --- The version stamp: a process reads the version again only when the file changed ----------


def another_process_writes_the_version(stamp=None):
    """What bump() does in another process: a new token in the cache, then a new stamp file."""
    from django.core.cache import cache

    cache.set(edge_cache.VERSION_KEY, ("elsewhere", 1.0), None)
    if stamp is not None:
        stamp.with_name("new").write_text("")
        stamp.with_name("new").replace(stamp)


def test_with_a_stamp_the_version_is_kept_until_the_file_changes(settings, tmp_path):
    stamp = tmp_path / "edge-version"
    settings.EDGE_VERSION_STAMP = str(stamp)
    before = edge_cache.current_version().token  # the first look starts the token and the file
    assert stamp.exists()
    assert edge_cache.current_version().token == before

    another_process_writes_the_version()  # the cache alone: kept copy still used
    assert edge_cache.current_version().token == before

    another_process_writes_the_version(stamp)
    assert edge_cache.current_version().token == "elsewhere"


def test_a_bump_replaces_the_stamp(settings, tmp_path):
    stamp = tmp_path / "edge-version"
    settings.EDGE_VERSION_STAMP = str(stamp)
    edge_cache.current_version()
    seen = stamp.stat().st_ino, stamp.stat().st_mtime_ns

    edge_cache.bump()

    assert (stamp.stat().st_ino, stamp.stat().st_mtime_ns) != seen


def test_without_a_stamp_the_version_is_read_every_time(settings):
    settings.EDGE_VERSION_STAMP = ""
    edge_cache.current_version()

    another_process_writes_the_version()

    assert edge_cache.current_version().token == "elsewhere"


def test_a_stamp_that_cannot_be_written_falls_back_to_the_cache(settings, tmp_path, caplog):
    settings.EDGE_VERSION_STAMP = str(tmp_path / "missing" / "edge-version")
    edge_cache.current_version()

    another_process_writes_the_version()

    assert edge_cache.current_version().token == "elsewhere"
    assert "version stamp not written" in caplog.text


def test_a_cache_that_is_down_leaves_the_stamp_alone(settings, tmp_path):
    """A cache that keeps nothing (Redis down: reads miss, adds are granted) must not make
    every request replace the stamp, and nothing is shared meanwhile."""
    stamp = tmp_path / "edge-version"
    settings.EDGE_VERSION_STAMP = str(stamp)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    assert edge_cache.current_version() is None  # the first look starts the file
    seen = stamp.stat().st_ino, stamp.stat().st_mtime_ns
    for _ in range(3):
        assert edge_cache.current_version() is None

    assert (stamp.stat().st_ino, stamp.stat().st_mtime_ns) == seen
    assert [p.name for p in tmp_path.iterdir()] == ["edge-version"]


# --- The local date ----------------------------------------------------------------------------


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_nothing_stored_is_kept_past_local_midnight(client, release):
    day = dt.date(2026, 6, 30)
    with time_machine.travel(local(day, 23, 55), tick=False):
        late = client.get(CODE_PAGE)
        _browser, shared = map(int, SHARED.fullmatch(late["Cache-Control"]).groups())
        assert shared == 300

    next_day = day + dt.timedelta(days=1)
    with time_machine.travel(local(next_day, 0, 1), tick=False):
        response = client.get(CODE_PAGE)

    assert response.templates  # rendered again, under the new day's version
    assert response["Last-Modified"] == http_date(local(next_day, 0).timestamp())  # midnight


# --- nginx's cache -----------------------------------------------------------------------------


def nginx_cache(root):
    for folder in ("a/1b", "c/2d"):
        (root / folder).mkdir(parents=True)
        (root / folder / "0123456789abcdef").write_bytes(b"KEY: httpslocalhost/cpt-codes/99213/")
    return root


def test_a_content_change_empties_nginxs_cache_but_keeps_its_folders(settings, tmp_path):
    settings.EDGE_CACHE_DIR = str(nginx_cache(tmp_path))

    edge_cache.bump()

    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert (tmp_path / "a/1b").is_dir() and (tmp_path / "c/2d").is_dir()


def test_the_purge_command_starts_a_new_version(settings, tmp_path, capsys):
    settings.EDGE_CACHE_DIR = str(nginx_cache(tmp_path))
    before = edge_cache.current_version().token

    call_command("edge_cache_purge")

    assert edge_cache.current_version().token != before
    assert "2 cached file(s) deleted" in capsys.readouterr().out


def test_a_purge_that_fails_is_logged_not_raised(settings, tmp_path, caplog):
    settings.EDGE_CACHE_DIR = str(tmp_path / "missing")

    assert edge_cache.bump() == 0
    assert "Edge cache purge" in caplog.text
