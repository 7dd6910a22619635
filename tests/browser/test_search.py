"""Searching in a real browser: the home page box suggests codes as you type, the keyboard picks
one, and the code's page opens; Enter without a pick shows the results page."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def searchable(release):
    """RVU25D rows of tests.cms_files.SLICE_CODES (27447, 47562, ...) with editorial synonyms."""
    call_command("load_editorial_content", verbosity=0)
    return release


def test_knee_replacement_from_the_home_page_opens_27447(page, searchable, screenshot):
    page.goto("/")
    box = page.locator("#home-q")
    box.press_sequentially("knee replacement", delay=20)

    listbox = page.get_by_role("listbox", name="Suggested codes")
    expect(listbox).to_be_visible()
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text("27447")
    expect(first).to_contain_text("Total knee arthroplasty")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("form.hero-search [role=status]")).to_contain_text(
        re.compile(r"\d+ codes? suggested")
    )
    screenshot("search-suggestions")

    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(first).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/cpt-codes/27447/$"))
    expect(page).to_have_title(re.compile(r"^27447 Total knee arthroplasty"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("27447")


def test_escape_closes_the_list_and_enter_shows_the_results_page(page, searchable, screenshot):
    page.goto("/")
    box = page.locator("#home-q")
    box.press_sequentially("lap chole", delay=20)
    listbox = page.get_by_role("listbox", name="Suggested codes")
    expect(listbox.get_by_role("option").first).to_contain_text("47562")

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/cpt-codes/search/\?q=lap\+chole$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes matching “lap chole”")
    first = page.locator(".search-results li").first
    expect(first).to_contain_text("47562")
    expect(first).to_contain_text("Also known as: lap chole")
    screenshot("search-results")


def test_the_header_box_suggests_on_every_page(page, searchable):
    page.goto("/cpt-codes/search/?q=qqqzzz")
    expect(page.get_by_text("No codes match")).to_be_visible()
    header = page.locator("#header-q")
    header.press_sequentially("cholecystectmy", delay=20)
    option = page.get_by_role("option").filter(has_text="47562")
    expect(option).to_be_visible()
    option.click()
    expect(page).to_have_url(re.compile(r"/cpt-codes/47562/$"))


def test_a_whole_code_and_enter_in_the_header_box_opens_its_page(page, searchable):
    page.goto("/")
    header = page.locator("#header-q")
    header.press_sequentially("j3490", delay=20)
    # The suggestions still list it; Enter without a pick submits to the results page, which
    # redirects a whole code to its page.
    expect(page.get_by_role("option").filter(has_text="J3490").first).to_be_visible()
    header.press("Enter")
    expect(page).to_have_url(re.compile(r"/cpt-codes/J3490/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("J3490")
