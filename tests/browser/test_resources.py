"""In a real browser: the Medicare payment and wRVU calculators update in place."""

import pytest
from playwright.sync_api import expect

from codes.services import release_import
from tests.cms_files import copy_real, pprrvu_slice

pytestmark = pytest.mark.browser


def test_the_payment_calculator_updates_in_place(page, live_server, transactional_db, tmp_path):
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes={"99213", "27447"})
    copy_real(folder, "RVU25D", "GPCI2025.csv")
    release_import(source=folder, make_current=True)

    page.goto("/resources/medicare-payment-calculator/")
    page.evaluate("window.__same_page = true")
    page.fill("#id_code", "99213")
    page.click("button[type=submit]")
    page.get_by_test_id("amount-non_facility").wait_for()

    assert page.get_by_test_id("amount-non_facility").inner_text() == "$88.95"
    assert page.evaluate("window.__same_page") is True  # htmx swapped the result in
    assert "code=99213" in page.url  # and the address can be shared

    page.fill("[data-locality-filter]", "alaska")
    # Polled by Playwright, not evaluated as a string: the page's CSP refuses eval.
    expect(page.get_by_test_id("amount-non_facility")).to_have_text("$112.20")
    assert page.evaluate("window.__same_page") is True


def test_the_wrvu_calculator_credits_as_you_type(page, live_server, release):
    page.goto("/resources/wrvu-calculator/")
    page.evaluate("window.__same_page = true")

    page.get_by_label("Codes", exact=True).fill("99213 27447-50")

    preview = page.locator("#preview")
    expect(preview).to_contain_text("50: bilateral at 150%")
    expect(preview).to_contain_text("29.40")
    expect(preview).not_to_contain_text("Ready: press Enter to save.")  # nothing is saved here
    assert page.evaluate("window.__same_page") is True
