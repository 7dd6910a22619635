"""At 390 px, as on a phone: history reads as cards with every credit figure on screen, the
tracker's sections fold into a menu, the header search is in the bar on every page, and no
page scrolls sideways. Screenshots of the main pages at 390 and 1366 px go to SCREENSHOT_DIR."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import PHONE, PUBLIC, SIGNED_IN, WIDE
from tests.browser.test_tracking import sign_in
from tests.browser_fixtures import SCREENSHOT_DIR

pytestmark = pytest.mark.browser

TABLET = {"width": 600, "height": 900}

SECTIONS = [
    "Dashboard", "Log", "History", "Templates", "Locations", "Goals & pay", "Credit policy",
    "Re-price", "Reports", "Import",
]  # fmt: skip


def shoot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("1366", WIDE), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOT_DIR / f"{name}-{label}.png", full_page=True)


def on_screen(locator, viewport=PHONE) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_history_shows_every_credit_figure_of_an_entry_on_a_phone(
    page, live_server, logged_attending
):
    sign_in(page, live_server, logged_attending)
    page.set_viewport_size(PHONE)
    page.goto("/track/history/")

    card = page.locator("table.table-cards tbody tr").filter(has_text="27447-50").first
    for label, figure in (("Raw", "19.60"), ("Medicare-style", "29.40"), ("Policy", "29.40")):
        cell = card.locator(f"td[data-label='{label}']")
        expect(cell).to_have_text(figure)
        assert on_screen(cell), label
    assert on_screen(card.get_by_role("link", name="27447-50"))
    assert on_screen(card.locator("td[data-label='Release']"))
    expect(page.locator("table.table-cards thead")).to_be_hidden()

    page.set_viewport_size(WIDE)  # a table again on a wide screen
    expect(page.get_by_role("columnheader", name="Medicare-style")).to_be_visible()
    shoot(page, "history")


def test_the_tracker_sections_fold_into_a_menu_on_a_phone(page, live_server, logged_attending):
    sign_in(page, live_server, logged_attending)
    page.set_viewport_size(PHONE)
    page.goto("/track/history/")
    sections = page.get_by_role("navigation", name="Tracker sections")
    expect(sections.get_by_role("link", name="Dashboard")).to_be_hidden()

    sections.get_by_role("button", name="Tracker menu").click()

    for name in SECTIONS:
        link = sections.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert on_screen(link), name
    sections.get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/track/reports/")

    for viewport in (TABLET, WIDE):  # pills, wrapped when they must be, and no menu button
        page.set_viewport_size(viewport)
        expect(sections.get_by_role("button", name="Tracker menu")).to_be_hidden()
        for name in SECTIONS:
            link = sections.get_by_role("link", name=name, exact=True)
            expect(link).to_be_visible()
            assert on_screen(link, viewport), (name, viewport)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_header_search_is_one_tap_away_on_every_page(
    page, live_server, logged_attending, signed_in
):
    if signed_in:
        sign_in(page, live_server, logged_attending)
    page.set_viewport_size(PHONE)
    for path in SIGNED_IN if signed_in else PUBLIC:
        page.goto(path)
        search = page.get_by_role("search", name="Quick code search")
        box = search.get_by_role("combobox", name="Search codes")
        expect(box).to_be_visible()
        assert on_screen(box), path
        assert box.bounding_box()["y"] < 120, path  # in the bar, above the page

    box.fill("knee")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/cpt-codes/search/?q=knee")


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, logged_attending):
    page.set_viewport_size(PHONE)
    wide = []
    for path in PUBLIC:
        page.goto(path)
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            wide.append(path)
    sign_in(page, live_server, logged_attending)
    for path in SIGNED_IN:
        page.goto(path)
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            wide.append(path)

    assert not wide


def test_screenshots_of_the_main_pages(page, live_server, logged_attending):
    for path, name in (("/", "home"), ("/cpt-codes/27447/", "code-27447")):
        page.goto(path)
        shoot(page, name)
    sign_in(page, live_server, logged_attending)
    for path, name in (("/track/", "tracker"), ("/track/dashboard/", "dashboard")):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        shoot(page, name)
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")

    assert (SCREENSHOT_DIR / "dashboard-390.png").stat().st_size > 10_000
