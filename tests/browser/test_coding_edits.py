"""The global surgical package in a real browser: the quick-entry preview says a visit on the
day of a procedure is part of its package, and adding modifier 25 takes the warning away."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_tracking import sign_in
from tracking.models import ProcedureLog

pytestmark = pytest.mark.browser


def test_the_preview_warns_of_the_package_and_25_removes_it(page, live_server, attending, release):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    box = page.get_by_label("Procedures")
    preview = page.locator("#preview")

    box.fill("99213 20610")

    expect(preview).to_contain_text("part of its package")
    expect(preview).to_contain_text("left out of credit by the global-package rule")

    box.fill("99213-25 20610")

    expect(preview).not_to_contain_text("part of its package")
    box.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Saved 2 entries in 1 encounter")
    visit = ProcedureLog.objects.get(user=attending, code__code="99213")
    assert visit.medicare == visit.raw and visit.warnings == []
