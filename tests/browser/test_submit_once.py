"""Exactly once in a real browser: Enter pressed twice saves once, Save waits for its answer,
a form sent twice at once by the page itself saves once, and a likely duplicate is confirmed
in the preview before it is saved."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from codes.wrvu import LineSpec
from tests.browser.test_tracking import sign_in
from tracking import services
from tracking.models import ProcedureLog

pytestmark = pytest.mark.browser


def ready(page, text):
    box = page.get_by_label("Procedures")
    box.fill(text)
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
    return box


def save_button(page):
    return page.locator("#quick-entry").get_by_role("button", name="Save")


def test_enter_pressed_twice_fast_saves_one_entry(page, live_server, attending, release):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    box = ready(page, "99213")

    box.press("Enter")
    box.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    expect(page.locator(".invalid-feedback")).to_have_count(0)  # the fresh page asks nothing
    assert ProcedureLog.objects.filter(user=attending).count() == 1


# Run by the page when its form is sent: how Save looks a moment later, kept across the page
# change (Playwright cannot look into a page while it navigates).
RECORD_SAVE_IN_FLIGHT = """() => {
    const form = document.getElementById("quick-entry");
    form.addEventListener("submit", () => setTimeout(() => sessionStorage.setItem(
        "in-flight", JSON.stringify({
            busy: form.getAttribute("aria-busy"),
            save: [...form.querySelectorAll("button[type=submit]")].map((b) => b.disabled),
        })), 50), {once: true});
}"""


def test_save_is_disabled_while_its_request_is_in_flight(
    page, live_server, attending, release, monkeypatch
):
    create = services.encounter_create
    monkeypatch.setattr(services, "encounter_create", lambda **kw: time.sleep(2) or create(**kw))
    sign_in(page, live_server, attending)
    posts = []
    page.on(
        "request", lambda r: r.method == "POST" and r.url.endswith("/track/") and posts.append(r)
    )
    page.goto("/track/")
    box = ready(page, "99213")
    page.evaluate(RECORD_SAVE_IN_FLIGHT)

    box.press("Enter", no_wait_after=True)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")  # while the first is still being saved

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    in_flight = page.evaluate("() => JSON.parse(sessionStorage.getItem('in-flight'))")
    assert in_flight == {"busy": "true", "save": [True]}
    assert len(posts) == 1  # the second Enter sent nothing
    expect(save_button(page)).to_be_enabled()
    assert ProcedureLog.objects.filter(user=attending).count() == 1


def test_the_form_sent_twice_at_once_by_the_page_saves_once(page, live_server, attending, release):
    """Past the script that disables Save: the token itself keeps the second out."""
    sign_in(page, live_server, attending)
    page.goto("/track/")
    ready(page, "99213 20610")

    answers = page.evaluate(
        """async () => {
            const form = document.getElementById("quick-entry");
            const send = () => fetch(form.action, {
                method: "POST", body: new FormData(form), redirect: "manual"});
            const answers = await Promise.all([send(), send()]);
            return answers.map((answer) => answer.type);
        }"""
    )

    assert answers == ["opaqueredirect", "opaqueredirect"]  # both answered "saved"
    assert ProcedureLog.objects.filter(user=attending).count() == 2  # one encounter, once


def test_a_likely_duplicate_is_shown_in_the_preview_and_saved_once_confirmed(
    page, live_server, attending, release, screenshot
):
    services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99213")],
        release=release,
    )
    sign_in(page, live_server, attending)
    page.goto("/track/")

    ready(page, "99213")
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("Already logged today: log again?")
    screenshot("tracker-duplicate")
    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_text("Already logged today: tick")).to_be_visible()
    assert ProcedureLog.objects.filter(user=attending).count() == 1
    page.get_by_label("Log it again").check()
    save_button(page).click()

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    assert ProcedureLog.objects.filter(user=attending).count() == 2
