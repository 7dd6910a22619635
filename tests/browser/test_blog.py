"""In a real browser: a post full of XSS payloads runs none of them, and the admin preview shows
sanitized HTML as staff type."""

import datetime as dt

import pytest
from django.utils import timezone

from blog.models import AuthorProfile, Post
from tests.blog.test_sanitizer import XSS_PAYLOADS
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

# Payloads that would set a flag rather than open a dialog, for what page.on("dialog") cannot see.
FLAG_PAYLOADS = [
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "<a href=\"javascript:window.__xss='href'\">click me</a>",
    "[markdown flag](javascript:window.__xss='md')",
    "<script>window.__xss='script'</script>",
    "<details open ontoggle=\"window.__xss='details'\"><summary>s</summary></details>",
]


@pytest.fixture
def hostile_post(transactional_db):
    author = UserFactory(is_staff=True)
    AuthorProfile.objects.create(user=author, display_name="Eve", bio="Tries things.")
    body = "## Payloads\n\nBill 99213 as usual.\n\n" + "\n\n".join(XSS_PAYLOADS + FLAG_PAYLOADS)
    return Post.objects.create(
        title="Hostile post",
        slug="hostile-post",
        summary="Every payload we know.",
        body=body,
        author=author,
        status=Post.Status.PUBLISHED,
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )


def test_a_post_full_of_payloads_runs_none_of_them(page, hostile_post, screenshot):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(hostile_post.get_absolute_url())
    page.wait_for_load_state("networkidle")
    page.mouse.move(200, 600)
    page.wait_for_timeout(1500)  # animations (<animate begin>) and lazy errors have fired

    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    body = page.locator("[data-testid=post-body]")
    assert body.locator("script, iframe, object, embed, svg, style, form, input").count() == 0
    handlers = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=post-body] *'))
              .flatMap(el => Array.from(el.attributes).map(a => a.name))
              .filter(name => name.startsWith('on') || name === 'style' || name === 'srcdoc')"""
    )
    assert handlers == []
    schemes = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=post-body] a[href]'))
              .map(a => new URL(a.href).protocol)"""
    )
    assert schemes and set(schemes) <= {"http:", "https:", "mailto:"}
    assert page.get_by_role("heading", name="Payloads").is_visible()
    screenshot("blog-hostile-post")


def test_staff_see_a_sanitized_live_preview_while_typing(page, live_server, transactional_db):
    UserFactory(email="editor@example.com", is_staff=True, is_superuser=True)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto("/admin/login/?next=/admin/blog/post/add/")  # on to allauth's sign-in
    page.fill("#id_login", "editor@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/blog/post/add/")

    page.fill("#id_body", "## Live preview\n\n**bold** <img src=x onerror=alert(1)>")
    preview = page.locator("#post-preview")
    preview.locator("strong", has_text="bold").wait_for()

    assert preview.locator("h2", has_text="Live preview").is_visible()
    assert preview.locator("img[onerror]").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []


def test_the_dialog_and_flag_checks_would_catch_a_payload_that_ran(page):
    # Control for the test above: the same detection on unsanitized HTML sees both.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.set_content("<img src=x onerror=alert('ran')>" + FLAG_PAYLOADS[0])
    page.wait_for_timeout(500)

    assert dialogs == ["ran"]
    assert page.evaluate("window.__xss") == "img"
