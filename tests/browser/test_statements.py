"""An employer's statement in a real browser: an attending with a logged month uploads the XLSX
their employer sent, checks the columns and the period read from its title, sees every line
reconciled with its reason, filters them, downloads the dispute PDF and finds the statement in
the history. axe finds nothing on the pages at 1366 and 390 px; screenshots at both widths."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_accessibility import AXE, axe_problems, report
from tests.browser.test_tracking import sign_in
from tests.browser_fixtures import SCREENSHOT_DIR
from tests.statements import month
from tests.statements.conftest import rvu25d, rvu26c  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def logged(attending, rvu26c):  # noqa: F811 (the fixture imported above)
    month.log_month(attending, rvu26c)
    return attending


def shots(page, name: str, problems: list):
    """Screenshots at 1366 and 390 px, and axe's findings at each width."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("1366", WIDE), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOT_DIR / f"statements-{name}-{label}.png", full_page=True)
        problems += axe_problems(page, page.url, f"{name} at {label} px")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways at {label} px ({width})"
    page.set_viewport_size(WIDE)


def test_an_attending_reconciles_a_statement_and_downloads_the_dispute_pdf(
    page, live_server, logged, tmp_path
):
    page.context.add_init_script(path=AXE)
    page.set_viewport_size(WIDE)
    problems = []
    sign_in(page, live_server, logged)
    page.goto("/track/")
    page.get_by_role("link", name="Statements", exact=True).click()

    expect(page.get_by_role("heading", name="Check your employer's statement")).to_be_visible()
    expect(page.get_by_test_id("no-statements")).to_be_visible()
    shots(page, "empty", problems)

    path = tmp_path / "october-statement.xlsx"
    path.write_bytes(month.xlsx_with_title())
    page.get_by_label("Statement file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and choose columns").click()

    expect(
        page.get_by_role("heading", name="Choose columns: october-statement.xlsx")
    ).to_be_visible()
    expect(page.get_by_label("Credited wRVU")).to_have_value("wRVU")
    expect(page.get_by_label("Period from")).to_have_value("2025-10-01")
    expect(page.get_by_label("Period to")).to_have_value("2025-10-31")
    shots(page, "columns", problems)
    page.get_by_role("button", name="Reconcile").click()

    expect(page.get_by_role("heading", name="Statement 2025-10-01 to 2025-10-31")).to_be_visible()
    expect(page.get_by_test_id("count-differs")).to_have_text("10")
    expect(page.get_by_test_id("count-missing_from_statement")).to_have_text("2")
    expect(page.get_by_test_id("owed-policy")).to_have_text("1.766")
    lines = page.get_by_test_id("lines").locator("tbody tr")
    expect(lines).to_have_count(len(month.EXPECTED))
    knee = lines.filter(has_text="The statement drops modifier 50 from 27447")
    expect(knee).to_contain_text("9.80")
    shots(page, "results", problems)

    page.get_by_label("Status").select_option("differs")
    page.get_by_role("button", name="Filter").click()
    expect(lines).to_have_count(10)
    expect(lines.filter(has_text="Alaska (AK)")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download dispute PDF").click()
    pdf = download.value
    assert pdf.suggested_filename == "rvuedge-statement-2025-10-01_2025-10-31.pdf"
    reader = PdfReader(io.BytesIO(pdf.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "wRVU statement: lines to review" in text
    assert "2025-10-23 27447 1 29.40 19.60 9.80 Modifier dropped" in text
    assert "Owed, net (your policy) 1.766" in text

    page.get_by_role("link", name="Statements", exact=True).click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("2025-10-01 to 2025-10-31")
    expect(history).to_contain_text("1.766")
    expect(page.locator("body[data-charts-ready='true']")).to_have_count(1)
    shots(page, "history", problems)

    assert not problems, report(problems)
