"""In a real browser: a code page's tables fit the screen at 1366 and 390 px, and choosing a
locality updates the tiles, the RVU table and the payment card in place and puts the locality
in the address."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from codes.services import release_import
from tests.cms_files import copy_real, pprrvu_slice

pytestmark = pytest.mark.browser

CODES = {"71046", "27447", "27446", "99213", "99214", "J3490", "J3590"}
HOUSTON = "04412-18"


@pytest.fixture
def imported(transactional_db, tmp_path):
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes=CODES)
    copy_real(folder, "RVU25D", "GPCI2025.csv")
    release_import(source=folder, make_current=True)
    call_command("load_editorial_content", verbosity=0)


def overflow(page, selector) -> int:
    """How many pixels the element's content is wider than the element itself."""
    return page.locator(selector).evaluate("el => el.scrollWidth - el.clientWidth")


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("code", ["71046", "27447", "J3490", "99213"])
def test_nothing_is_clipped_or_scrolls_sideways(page, imported, screenshot, code, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/cpt-codes/{code}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if code != "J3490":  # J3490 has no RVUs, hence no table
        assert overflow(page, ".rvu-table-wrap") <= 0
    assert overflow(page, ".payment-card") <= 0
    if width == 1366:
        screenshot(f"code-{code}")


def test_a_chosen_locality_updates_the_tiles_and_the_address(page, imported):
    page.goto("/cpt-codes/71046/")
    page.evaluate("window.__same_page = true")
    office = page.get_by_test_id("tile-non_facility")
    expect(office).to_contain_text("National, office")

    page.select_option("#locality-select", HOUSTON)

    # RVU25D Houston: (0.22 x 1.014 + 0.77 x 1.003 + 0.02 x 1.409) x 32.3465 = 33.1089
    expect(office).to_contain_text("Houston, office")
    expect(office).to_contain_text("$33.11")
    expect(office).to_contain_text("-26 professional: $10.27")
    assert page.url.endswith(f"/cpt-codes/71046/?locality={HOUSTON}")
    assert page.evaluate("window.__same_page") is True  # swapped in place by htmx
    expect(page.locator(".rvu-table")).to_contain_text("Houston payment, office")
    expect(page.locator("#locality-select")).to_be_focused()

    page.goto(f"/cpt-codes/71046/?locality={HOUSTON}")  # the address, shared
    expect(page.get_by_test_id("tile-non_facility")).to_contain_text("$33.11")


def test_folded_indicators_open_on_demand(page, imported):
    page.goto("/cpt-codes/J3490/")
    folded = page.locator("details.indicators-na")

    expect(folded.locator("table")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("table")).to_contain_text("Bilateral (50)")
