"""Logging in a real browser: quick entry with its live preview, and a resident's case."""

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from tracking.models import Preferences, ProcedureLog

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user):
    """Give the browser the session of a signed-in user (sign-in itself has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_an_attending_quick_enters_sees_the_preview_saves_and_finds_history(
    page, live_server, attending, release, screenshot
):
    sign_in(page, live_server, attending)
    page.goto("/track/")

    box = page.get_by_label("Procedures")
    box.fill("99213 99214 27447-50")

    preview = page.locator("#preview")
    expect(preview).to_contain_text("50: bilateral at 150%")
    expect(preview).to_contain_text("Total knee arthroplasty")
    expect(preview).to_contain_text("29.40")
    expect(preview).to_contain_text("Ready: press Enter to save.")
    screenshot("tracker-preview")

    box.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 3 entries")
    page.get_by_role("link", name="History", exact=True).first.click()
    table = page.get_by_role("table")
    for text in ("99213", "99214", "27447-50", "29.40", "RVU25D"):
        expect(table).to_contain_text(text)
    screenshot("tracker-history")
    assert ProcedureLog.objects.filter(user=attending).count() == 3


def test_bad_lines_are_marked_and_nothing_is_saved(page, live_server, attending, release):
    sign_in(page, live_server, attending)
    page.goto("/track/")

    page.get_by_label("Procedures").fill("99213 99999")
    expect(page.locator("#preview")).to_contain_text("99999 is not a code")
    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_text("Fix or remove the marked lines before saving.")).to_be_visible()
    assert not ProcedureLog.objects.exists()


def test_a_resident_logs_a_case_with_role_and_attending(page, live_server, resident, release):
    sign_in(page, live_server, resident)
    page.goto("/track/")

    page.get_by_label("Procedures").fill("47562")
    page.get_by_label("Role").select_option("assisted")
    page.get_by_label("Supervising attending").fill("Dr. Rivera")
    expect(page.locator("#preview")).to_contain_text("Laparoscopic cholecystectomy")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    log = ProcedureLog.objects.get(user=resident)
    assert (log.code.code, log.role, log.supervising_attending) == (
        "47562",
        "assisted",
        "Dr. Rivera",
    )


def test_the_line_form_finds_a_code_by_words_and_adds_it(page, live_server, attending, release):
    from codes.models import CodeContent

    CodeContent.objects.update_or_create(
        code_id=release.rvus.get(code__code="27447", modifier="").code_id,
        defaults={"synonyms": "knee replacement\nTKA"},
    )
    sign_in(page, live_server, attending)
    page.goto("/track/")

    page.get_by_text("Or pick a code with a form").click()
    page.get_by_label("Code or words").fill("knee replacement")
    page.get_by_role("option", name="27447").first.click()
    expect(page.get_by_label("Code or words")).to_have_value("27447")
    page.get_by_label("Modifiers").select_option("50")
    page.get_by_role("button", name="Add line").click()

    expect(page.get_by_label("Procedures")).to_have_value("27447-50 ")
    expect(page.locator("#preview")).to_contain_text("50: bilateral at 150%")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")


def test_after_the_first_entry_an_attending_is_asked_for_target_and_pay(
    page, live_server, attending, release, screenshot
):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    card = page.get_by_test_id("pay-prompt")
    expect(card).to_have_count(0)

    page.get_by_label("Procedures").fill("99213")
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    expect(card).to_be_visible()
    screenshot("tracker-pay-prompt")
    card.get_by_label("Annual wRVU target").fill("5200")
    card.get_by_label("$ per wRVU").fill("52.50")
    card.get_by_role("button", name="Save target and pay").click()

    expect(page.get_by_role("alert")).to_contain_text("Saved. Change them any time on Goals & pay.")
    expect(card).to_have_count(0)
    prefs = Preferences.objects.get(user=attending)
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (Decimal("5200"), Decimal("52.50"))
    page.get_by_role("link", name="Goals & pay").click()
    expect(page.get_by_label("Annual wRVU target")).to_have_value("5200.00")


def test_an_attending_may_answer_later(page, live_server, attending, release):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    page.get_by_label("Procedures").fill("99213")
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
    page.get_by_label("Procedures").press("Enter")

    page.get_by_test_id("pay-prompt").get_by_role("button", name="Not now").click()

    expect(page.get_by_role("alert")).to_contain_text("Goals & pay any time")
    expect(page.get_by_test_id("pay-prompt")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("pay-prompt")).to_have_count(0)


def test_an_attending_corrects_a_mistyped_code_and_reads_the_change(
    page, live_server, attending, release, screenshot
):
    from django.utils import timezone

    from codes.wrvu import LineSpec
    from tracking import services

    hip, knee = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("47562"), LineSpec("19303")],
        release=release,
    )
    sign_in(page, live_server, attending)
    page.goto(f"/track/entries/{hip.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()

    page.get_by_label("Code", exact=True).fill("27447")
    page.get_by_label("Units", exact=True).fill("2")
    page.get_by_label("Note", exact=True).fill("typo fixed")
    screenshot("entry-edit")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Entry updated and re-credited with RVU25D")
    history = page.get_by_role("table")
    expect(history).to_contain_text("Code 47562 → 27447; units 1 → 2; note added")
    expect(history).to_contain_text("You")
    screenshot("entry-changes")
    page.goto(f"/track/entries/{knee.pk}/")
    expect(page.get_by_role("table")).to_contain_text("Re-ranked with its encounter")
