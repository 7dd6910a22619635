"""The dashboard in a real browser: the chart draws, the period changes, reports download."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_reports import year_of_entries  # noqa: F401  (fixture)
from tests.browser.test_tracking import sign_in
from tracking.models import Preferences

pytestmark = pytest.mark.browser


def test_an_attending_with_a_year_of_entries_reads_the_dashboard(
    page,
    live_server,
    attending,
    year_of_entries,  # noqa: F811  (the fixture imported above)
    screenshot,
):
    Preferences.objects.create(
        user=attending, annual_wrvu_target=Decimal("5000"), dollars_per_wrvu=Decimal("50")
    )
    sign_in(page, live_server, attending)

    page.goto("/track/dashboard/")

    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    box = page.locator("#trend-chart").bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    expect(page.get_by_test_id("pace")).to_contain_text("wRVUs")
    expect(page.get_by_test_id("pay-to-date")).to_contain_text("$")
    screenshot("dashboard")

    page.get_by_label("Period", exact=True).select_option("12m")
    page.wait_for_url("**range=12m**")
    page.get_by_label("Group by", exact=True).select_option("month")
    page.wait_for_url("**group_by=month**")
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    page.get_by_text("Show the figures as a table").click()
    expect(page.get_by_test_id("trend-table").locator("tbody tr")).to_have_count(12)

    page.get_by_role("link", name="Reports", exact=True).click()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF report").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF-")
    with page.expect_download() as csv_file:
        page.get_by_role("link", name="Download CSV").click()
    assert csv_file.value.suggested_filename.endswith(".csv")
