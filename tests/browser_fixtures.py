"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
live_server. Mark tests with @pytest.mark.browser and ask for the `page` fixture; any test
folder can (tests/conftest.py loads this plugin, so there is one browser per session).

A missing chromium fails the run; it never skips (CI installs it with apt).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from
# a thread with a running loop unless told the code is knowingly synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def is_csp_violation(message) -> bool:
    return "Content Security Policy" in message.text


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh browser context (no cookies) on the live server, desktop-sized. Every test that
    uses it also fails if the browser refused anything under the Content-Security-Policy."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    refused = []
    page.on("console", lambda message: is_csp_violation(message) and refused.append(message.text))
    yield page
    context.close()
    if refused:
        pytest.fail("Refused under the Content-Security-Policy:\n" + "\n".join(refused))


@pytest.fixture
def screenshot(page):
    """screenshot("settings") saves desktop and phone-width full-page PNGs of the current page
    into SCREENSHOT_DIR (default /tmp/shots), to look at after the run."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name):
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.screenshot(path=SCREENSHOT_DIR / f"{name}-{label}.png", full_page=True)
        page.set_viewport_size(DESKTOP)

    return take
