"""A new user of each career stage, from sign-up to the first logged case in a real browser, in
the fewest steps: sign up, open the emailed link once, type the case and press Enter."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tracking.models import ProcedureLog

pytestmark = pytest.mark.browser

PASSWORD = "browser-passphrase-2931"


def sign_up(page, stage, email, **fields):
    """The sign-up form from the stage's page, then the emailed link, opened once."""
    page.goto(
        {"student": "/medical-students/", "resident": "/residents/"}.get(stage, "/attendings/")
    )
    page.get_by_test_id("stage-signup-hero").click()
    expect(
        page.get_by_role("radio", name={"student": "Medical student"}.get(stage, stage.title()))
    ).to_be_checked()
    for label, value in fields.items():
        control = page.get_by_label(label, exact=True)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = [m for m in mail.outbox if m.to == [email]]
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0))


def test_a_resident_signs_up_and_logs_a_case_with_role_and_attending(
    page, live_server, release, screenshot
):
    sign_up(page, "resident", "resident@example.com", **{
        "Specialty": "General Surgery", "PGY year": "2", "Residency program": "Mercy Surgery",
    })  # fmt: skip

    # One click on the link: confirmed, signed in, on the log with the first steps.
    expect(page).to_have_url(f"{live_server.url}/track/")
    expect(page.get_by_test_id("first-steps")).to_contain_text("Choose your role")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Log", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    screenshot("journey-resident-start")
    page.get_by_label("Procedures").fill("47562")
    page.get_by_label("Role").select_option(label="Surgeon junior")
    page.get_by_label("Supervising attending").fill("Dr. Rivera")
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    log = ProcedureLog.objects.get(user__email="resident@example.com")
    assert (log.code.code, log.role, log.supervising_attending) == (
        "47562", "surgeon_junior", "Dr. Rivera",
    )  # fmt: skip
    # The next case starts from this one's role and attending.
    expect(page.get_by_test_id("first-steps")).to_have_count(0)
    expect(page.get_by_label("Role")).to_have_value("surgeon_junior")
    expect(page.get_by_label("Supervising attending")).to_have_value("Dr. Rivera")
    expect(page.locator("datalist#attending-names option")).to_have_attribute("value", "Dr. Rivera")
    page.get_by_role("navigation", name="Tracker sections").get_by_role(
        "link", name="Case log"
    ).click()
    expect(page.get_by_test_id("case-log-codes")).to_contain_text("PGY-2")
    expect(page.get_by_test_id("case-log-codes")).to_contain_text("Surgeon junior")
    screenshot("journey-resident-case-log")
    assert User.objects.get(email="resident@example.com").residency_start_year is not None


def test_a_student_signs_up_and_logs_an_observed_case(page, live_server, release, screenshot):
    sign_up(page, "student", "student@example.com")

    expect(page).to_have_url(f"{live_server.url}/track/learning/")
    expect(page.get_by_test_id("learning-start")).to_be_visible()
    screenshot("journey-student-start")
    page.get_by_test_id("log-observed").click()
    expect(page.get_by_label("Role")).to_have_value("observed")
    page.get_by_label("Procedures").fill("99213")
    page.get_by_label("Note").fill("#medicine")
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    assert ProcedureLog.objects.get(user__email="student@example.com").role == "observed"
    page.get_by_role("navigation", name="Tracker sections").get_by_role(
        "link", name="Learning"
    ).click()
    rotation = page.get_by_test_id("rotation")
    expect(rotation.get_by_role("heading")).to_have_text("Medicine")
    expect(rotation.get_by_role("link", name="99213")).to_have_attribute(
        "href", "/cpt-codes/99213/#plain-heading"
    )
    screenshot("journey-student-learning")
    # The students' page now offers the next step, not sign-up; pay pages are not theirs.
    page.goto("/medical-students/")
    expect(page.get_by_test_id("stage-signup-hero")).to_have_count(0)
    expect(page.get_by_test_id("stage-next-step").first).to_have_text("Open what I have seen")
    page.goto("/track/goals/")
    expect(page).to_have_url(f"{live_server.url}/track/learning/")
    expect(page.get_by_role("alert")).to_contain_text("Goals & pay is for attendings")


def test_an_attending_signs_up_without_pay_and_logs_a_first_procedure(
    page, live_server, release, screenshot
):
    sign_up(page, "attending", "attending@example.com", **{
        "Specialty": "Internal Medicine", "Practice setting": "Private practice",
    })  # fmt: skip

    expect(page).to_have_url(f"{live_server.url}/track/")
    expect(page.get_by_test_id("first-steps")).to_contain_text("Both are optional")
    expect(page.get_by_test_id("pay-prompt")).to_have_count(0)
    page.get_by_label("Procedures").fill("99213")
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 1 entry")
    # Target and pay are asked now, and may wait.
    expect(page.get_by_test_id("pay-prompt")).to_be_visible()
    screenshot("journey-attending-first-entry")
    page.get_by_test_id("pay-prompt").get_by_role("button", name="Not now").click()
    page.get_by_role("navigation", name="Tracker sections").get_by_role(
        "link", name="Dashboard"
    ).click()
    expect(page.get_by_test_id("tracking-since")).to_contain_text("Tracking since")
    expect(page.get_by_text("behind")).to_have_count(0)
    screenshot("journey-attending-dashboard")
    page.get_by_test_id("tracking-since").get_by_role("link", name="Change").click()
    expect(page.get_by_role("group", name="Where your year starts")).to_be_visible()
    screenshot("journey-attending-goals")
    assert ProcedureLog.objects.filter(user__email="attending@example.com").count() == 1


def test_the_check_your_email_page_sends_the_link_again(page, live_server, release):
    page.goto("/accounts/signup/?stage=student")
    page.get_by_label("Email").fill("again@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("button", name="Send the link again").click()

    # Within allauth's few minutes between emails the first link is the one to use.
    expect(page.get_by_role("alert")).to_contain_text("The link we sent a moment ago still works")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert len(mail.outbox) == 1
