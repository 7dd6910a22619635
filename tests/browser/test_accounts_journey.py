import json
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.browser

PASSWORD = "browser-passphrase-2931"


def confirm_email_from_outbox(page, address):
    """Open the link of the confirmation email sent to address: its first click confirms."""
    [message] = [m for m in mail.outbox if m.to == [address]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)


def fill_sign_in_part(page, email):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)


def test_a_resident_signs_up_confirms_the_email_and_lands_on_the_log_signed_in(
    page, live_server, release, screenshot
):
    page.goto("/accounts/signup/?stage=resident")

    expect(page.get_by_role("radio", name="Resident")).to_be_checked()
    expect(page.get_by_label("PGY year", exact=True)).to_be_visible()
    expect(page.get_by_label("Practice setting")).to_be_hidden()
    screenshot("signup")
    page.get_by_label("Specialty").select_option(label="Internal Medicine")
    page.get_by_label("PGY year", exact=True).fill("2")
    page.get_by_label("Residency program").fill("Mercy Internal Medicine")
    fill_sign_in_part(page, "resident@example.com")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    confirm_email_from_outbox(page, "resident@example.com")

    expect(page).to_have_url(f"{live_server.url}/track/")
    expect(page.get_by_test_id("account-menu")).to_have_text("resident@example.com")
    user = User.objects.get(email="resident@example.com")
    assert (user.career_stage, user.pgy_year, user.program) == (
        "resident",
        2,
        "Mercy Internal Medicine",
    )


def test_the_sign_up_form_shows_only_the_chosen_stage_and_explains_what_is_missing(page):
    page.goto("/accounts/signup/")
    resident_fields = page.get_by_label("PGY year", exact=True)
    attending_fields = page.get_by_label("Practice setting")
    expect(resident_fields).to_be_hidden()
    expect(attending_fields).to_be_hidden()

    page.get_by_text("Attending", exact=True).click()
    expect(attending_fields).to_be_visible()
    expect(resident_fields).to_be_hidden()
    page.get_by_text("Resident", exact=True).click()
    expect(resident_fields).to_be_visible()
    fill_sign_in_part(page, "half@example.com")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_text("Enter your PGY year (1 to 10).")).to_be_visible()
    expect(page.get_by_text("Enter your residency program.")).to_be_visible()
    expect(page.get_by_label("PGY year", exact=True)).to_have_attribute("aria-invalid", "true")
    assert not User.objects.filter(email="half@example.com").exists()


def test_an_attending_signs_up_logs_in_changes_settings_downloads_and_deletes(
    page, live_server, screenshot
):
    email = "attending@example.com"
    page.goto("/")
    page.get_by_role("link", name="Sign up as an attending").click()
    expect(page.get_by_role("radio", name="Attending")).to_be_checked()
    page.get_by_label("Specialty").select_option(label="Cardiology")
    page.get_by_label("Practice setting").select_option(label="Private practice")
    # Pay and target are asked on the tracker after the first entry, not at sign-up.
    expect(page.get_by_label("$ per wRVU")).to_have_count(0)
    expect(page.get_by_label("Annual wRVU target")).to_have_count(0)
    fill_sign_in_part(page, email)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    confirm_email_from_outbox(page, email)
    expect(page.get_by_test_id("account-menu")).to_have_text(email)

    # Sign out, then back in.
    nav = page.get_by_role("navigation", name="Main navigation")
    page.get_by_test_id("account-menu").click()
    nav.get_by_role("button", name="Sign out").click()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    nav.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-menu")).to_have_text(email)

    # Settings: a change of specialty.
    page.get_by_test_id("account-menu").click()
    page.get_by_role("link", name="Account settings").click()
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
    expect(page.get_by_test_id("mfa-status")).to_contain_text("Off")
    screenshot("settings")
    page.get_by_label("Specialty").select_option(label="Hospital Medicine")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    user = User.objects.get(email=email)
    assert (user.career_stage, user.specialty, user.practice_setting) == (
        "attending",
        "hospital_medicine",
        "private_practice",
    )

    # Download my data.
    with page.expect_download() as download_info:
        page.get_by_test_id("download-json").click()
    download = download_info.value
    assert re.fullmatch(r"rvuedge-my-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    with open(download.path()) as handle:
        document = json.load(handle)
    [profile] = document["sections"]["profile"]
    assert (profile["email"], profile["specialty"]) == (email, "hospital_medicine")
    assert document["sections"]["email_addresses"][0]["verified"] is True

    # Delete the account, through the password check.
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Delete my account")).to_be_visible()
    page.get_by_label("Type your email address or DELETE to confirm").fill(email)
    page.get_by_role("button", name="Delete my account for good").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Your account and everything in it have been deleted.")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    assert not User.objects.filter(email=email).exists()
