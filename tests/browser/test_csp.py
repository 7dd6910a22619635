"""Every page under the Content-Security-Policy. The `page` fixture fails a test on anything
the browser refused under the policy, so visiting a page is the check; the scripts that
replaced inline handlers are exercised too."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.test_reports import year_of_entries  # noqa: F401  (fixture)
from tests.factories import PASSWORD, UserFactory
from tests.rvuedge.test_shell import PUBLIC_PAGES, SIGNED_IN_PAGES

pytestmark = pytest.mark.browser

ADMIN_PAGES = [
    "/admin/", "/admin/accounts/user/", "/admin/codes/release/", "/admin/blog/post/add/",
    "/admin/support/ticket/", "/admin/tracking/benchmark/", "/admin/tracking/benchmark/upload/",
]  # fmt: skip


def visit(page, paths):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")


def give_session(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def test_public_pages_need_nothing_the_policy_refuses(page, release):
    visit(page, PUBLIC_PAGES)
    assert page.goto("/no-such-page/").status == 404


def test_signed_in_pages_need_nothing_the_policy_refuses(page, live_server, release, attending):
    give_session(page, live_server, attending)

    visit(page, SIGNED_IN_PAGES)


def test_the_admin_needs_nothing_the_policy_refuses(page, release):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    page.goto("/admin/")
    page.fill("#id_login", "staff@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")

    visit(page, ADMIN_PAGES)


def test_the_api_docs_start_under_the_policy(page):
    page.goto("/api/docs/")

    expect(page.get_by_role("heading", name="RVU Edge API")).to_be_visible()


def test_the_dashboard_period_changes_without_an_inline_handler(
    page,
    live_server,
    attending,
    year_of_entries,  # noqa: F811  (the fixture imported above)
):
    give_session(page, live_server, attending)
    page.goto("/track/dashboard/")

    page.get_by_label("Group by").select_option(label="By week")

    page.wait_for_url("**/track/dashboard/?*group_by=week*")
    expect(page.get_by_label("Group by")).to_have_value("week")
