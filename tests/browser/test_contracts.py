"""Contracts in a real browser: enter a contract and see what it pays on the log, then weigh
two offers side by side and take the PDF."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from contracts.models import Contract
from tests.browser.test_reports import year_of_entries  # noqa: F401  (fixture)
from tests.browser.test_tracking import sign_in
from tests.contracts.factories import contract, offer

pytestmark = pytest.mark.browser


def test_an_attending_enters_a_contract_and_sees_what_it_pays(
    page,
    live_server,
    attending,
    year_of_entries,  # noqa: F811  (the fixture imported above)
    screenshot,
):
    sign_in(page, live_server, attending)
    page.goto("/track/goals/")
    page.get_by_role("link", name="Contracts and offers").click()
    page.get_by_role("link", name="Add a contract or offer").click()

    page.get_by_label("Name of the contract or offer").fill("Riverside 2026")
    page.get_by_label("In force from").fill(f"{timezone.localdate().year}-01-01")
    page.get_by_label("Base salary, $ a year").fill("250000")
    page.get_by_label("Productivity threshold, wRVU a year").fill("100")
    tier = page.locator('[data-row="tiers-1"]')
    tier.get_by_label("From wRVU").fill("0")
    tier.get_by_label("$ per wRVU").fill("50")
    page.locator('[data-row="tiers-2"]').get_by_label("From wRVU").fill("0")
    page.locator('[data-row="tiers-2"]').get_by_label("$ per wRVU").fill("60")
    page.get_by_role("button", name="Save").click()

    # The order of the tiers is checked, and nothing typed is lost.
    expect(page.get_by_test_id("tiers-errors")).to_contain_text("Tiers must ascend")
    expect(page.get_by_label("Name of the contract or offer")).to_have_value("Riverside 2026")
    page.locator('[data-row="tiers-2"]').get_by_label("From wRVU").fill("300")
    screenshot("contract-form")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Riverside 2026")).to_be_visible()
    expect(page.get_by_test_id("year-total")).to_contain_text("$")
    expect(page.get_by_test_id("year-steps")).to_contain_text(
        "Base salary: $250,000.00 a year = $250,000.00"
    )
    screenshot("contract-detail")

    page.get_by_role("link", name="Pay this year", exact=True).click()
    expect(page.get_by_test_id("contract-pay-to-date")).to_contain_text("$")
    expect(page.get_by_text("Threshold: 100.00 wRVU a year").first).to_be_visible()
    screenshot("contract-pay")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_test_id("pay-source")).to_contain_text("“Riverside 2026” for")
    expect(page.get_by_test_id("pay-to-date")).to_contain_text("$")
    assert Contract.objects.get(user=attending).tiers.count() == 2


def test_two_offers_are_compared_side_by_side(
    page,
    live_server,
    attending,
    year_of_entries,  # noqa: F811
    screenshot,
):
    year = timezone.localdate().year
    contract(attending, name="Current job", start_date=dt.date(year, 1, 1))
    offer(attending, name="Lakeside offer", base_salary=Decimal(0), threshold_wrvu=Decimal(0),
          tiers=((0, 62),))  # fmt: skip
    offer(attending, name="Hillcrest offer", base_salary=Decimal(280000), tiers=((0, 45),))
    sign_in(page, live_server, attending)

    page.goto("/track/contracts/")
    page.get_by_role("link", name="Compare them side by side").click()
    page.get_by_label("Current job").check()
    page.get_by_label("Lakeside offer").check()
    page.get_by_role("button", name="Compare").click()

    table = page.get_by_test_id("compare-table")
    for text in ("Current job", "Lakeside offer", "Your volume", "20% less volume",
                 "20% more volume", "A different mix", "pays most"):  # fmt: skip
        expect(table).to_contain_text(text)
    expect(page.get_by_test_id("break-even")).to_contain_text("wRVU a year")
    expect(page.get_by_test_id("compare-basis")).to_contain_text("× 365 /")
    screenshot("contracts-compare")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF for the negotiation").click()
    body = download.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Contracts and offers compared" in text
    assert "Current job" in text and "Lakeside offer" in text
    assert "Hillcrest offer" not in text

    page.get_by_role("link", name="Planner").click()
    page.get_by_label("Contract", exact=True).select_option(label="Lakeside offer")
    page.get_by_label("Target income, $ a year").fill("500000")
    page.get_by_role("button", name="Plan").click()
    expect(page.get_by_test_id("plan-needed")).to_contain_text("8,064.52")  # 500,000 / 62
    screenshot("contracts-planner")
