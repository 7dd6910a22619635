"""A day's patients typed at once, in a real browser: the preview groups them, shows every figure
on a phone, and Enter saves one encounter per patient."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_tracking import sign_in
from tracking.models import Encounter, ProcedureLog

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def test_on_a_phone_each_patient_and_every_figure_is_shown(page, live_server, attending, release):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, attending)
    page.goto("/track/")

    page.get_by_label("Procedures").fill("27447-50 20610 ; 99213 20610 x2")

    preview = page.locator("#preview")
    expect(preview).to_contain_text("Patient 2 subtotal")
    expect(preview).to_contain_text("Total, 2 patients")
    figures = preview.locator("td[data-label]")
    assert figures.count() == 4 * 4 + 2 * 3 + 3  # lines, subtotals, total
    for index in range(figures.count()):
        cell = figures.nth(index)
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (index, box)
    for label in ("Raw", "Medicare-style", "Policy"):
        expect(preview.locator(f'td[data-label="{label}"]').first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "tracker-encounters-390.png", full_page=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=SHOTS / "tracker-encounters-1366.png", full_page=True)

    page.get_by_label("Procedures").press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Saved 4 entries in 2 encounters")
    assert Encounter.objects.filter(user=attending).count() == 2
    assert ProcedureLog.objects.filter(user=attending).count() == 4


def test_the_per_patient_switch_regroups_the_preview(page, live_server, attending, release):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    box = page.get_by_label("Procedures")
    box.fill("20610")
    box.press("Shift+Enter")
    box.press_sequentially("20610")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("ranked 2nd")
    expect(preview).not_to_contain_text("Patient 2")

    page.get_by_label("Each line is a separate patient").check()

    expect(preview).to_contain_text("Patient 2")
    expect(preview).not_to_contain_text("ranked 2nd")
    box.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Saved 2 entries in 2 encounters")


def test_the_public_calculator_shows_every_figure_on_a_phone(page, live_server, release):
    page.set_viewport_size(PHONE)
    page.goto("/resources/wrvu-calculator/")

    page.get_by_role("textbox", name="Codes", exact=True).fill("19303 47562 / 20610")

    preview = page.locator("#preview")
    expect(preview).to_contain_text("Patient 2 subtotal")
    figures = preview.locator("td[data-label]")
    assert figures.count() == 3 * 3 + 2 * 2 + 2  # lines (no policy column), subtotals, total
    for index in range(figures.count()):
        box = figures.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (index, box)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "calculator-encounters-390.png", full_page=True)
