"""Quick entry in a real browser prices with the release of the date of service: changing the
date renders the preview again with that date's release (RVU25D and RVU26C, the bundled ones)."""

# The release fixtures are imported by name, so the tests' parameters redefine them.
# ruff: noqa: F811

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.test_tracking import sign_in
from tests.browser_fixtures import PHONE
from tests.release_fixtures import rvu25d, rvu26c  # noqa: F401 (fixtures used by name)
from tracking.models import ProcedureLog

pytestmark = pytest.mark.browser


def test_changing_the_date_prices_the_preview_and_the_entry_with_that_dates_release(
    page, live_server, attending, rvu26c, screenshot
):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    page.get_by_label("Procedures").fill("27447")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("19.11")  # today: RVU26C
    expect(page.locator("#entry-release")).to_contain_text("Priced with RVU26C")

    page.get_by_label("Date of service").fill("2025-11-14")

    expect(page.locator("#entry-release")).to_have_text(
        "Priced with RVU25D, the release in effect on 2025-11-14."
    )
    expect(preview).to_contain_text("19.60")

    page.get_by_label("Date of service").fill("2026-02-10")

    note = page.get_by_role("note").filter(has_text="RVU26A (in effect on 2026-02-10)")
    expect(note).to_contain_text("Priced with RVU26C: nearest release of the year.")
    expect(preview).to_contain_text("19.11")
    screenshot("tracker-release-flagged")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Saved 1 entry in 1 encounter: 19.11 wRVU (Medicare-style, RVU26C). RVU26A (in effect on "
        "2026-02-10)"
    )
    log = ProcedureLog.objects.get(user=attending)
    assert (log.date, log.release.name, log.release_flag) == (
        dt.date(2026, 2, 10),
        "RVU26C",
        "same-year",
    )
    page.goto(f"/track/entries/{log.pk}/")
    expect(page.get_by_role("note")).to_contain_text("Nearest release of the year.")
    screenshot("entry-release-flagged")
    page.goto("/track/history/")
    expect(page.get_by_role("table")).to_contain_text("Nearest release of the year")
    screenshot("history-release-flagged")
    page.set_viewport_size(PHONE)  # the note read out to screen readers widens nothing
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
