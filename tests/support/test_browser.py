"""The help centre and contact form in Chromium: htmx feedback in place, a message sent, a ticket
read. Screenshots at desktop and phone widths go to SCREENSHOT_DIR (default /tmp/shots)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from support import services
from support.models import Article, Ticket
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_a_visitor_finds_an_article_rates_it_and_writes_to_us(
    page,
    screenshot,
    console_errors,
    help_content,
):
    page.goto("/support/")
    expect(page.get_by_role("heading", name="How can we help?", level=1)).to_be_visible()
    screenshot("support-index")

    page.get_by_label("Search the help centre").fill("bilateral")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("articles for “bilateral”")).to_be_visible()
    page.get_by_role("link", name="Modifiers that change credit").click()
    heading = page.get_by_role("heading", name="Modifiers that change credit", level=1)
    expect(heading).to_be_visible()
    screenshot("support-article")

    url = page.url
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    assert page.url == url  # answered in place by htmx, no reload
    assert Article.objects.get(slug="modifiers-that-change-credit").helpful_yes == 1

    page.get_by_role("link", name="Contact us").last.click()
    expect(page.get_by_role("heading", name="Contact us", level=1)).to_be_visible()
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Please correct the 3 fields marked below.")).to_be_visible()
    screenshot("support-contact-errors")
    page.get_by_label("Your email address").fill("visitor@example.org")
    page.get_by_label("What is it about?").select_option(label="Codes, RVUs and payment")
    page.get_by_label("Your message").fill("Why does J3490 show no RVUs?")
    trap = page.get_by_label("Leave this field empty").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # off-screen: people never see the honeypot
    screenshot("support-contact")
    page.get_by_role("button", name="Send message").click()

    reference = Ticket.objects.get().reference
    expect(page.get_by_test_id("reference")).to_have_text(reference)
    screenshot("support-contact-sent")
    assert sorted(m.to[0] for m in mail.outbox) == ["support@rvuedge.local", "visitor@example.org"]
    page.goto("/support/faq/")
    expect(page.get_by_role("heading", name="Is RVU Edge free?")).to_be_visible()
    assert console_errors == []


def test_a_user_reads_the_reply_and_answers(page, screenshot, console_errors, user, staff):
    ticket = services.ticket_create(
        user=user,
        email="",
        topic="logging",
        body="How do I log a bilateral knee replacement? I typed 27447 50 and it says 150%.",
    )
    services.ticket_staff_reply(
        ticket=ticket,
        author=staff,
        body="Typing 27447 50 is read as 27447-50. The knee has bilateral indicator 1, so "
        "Medicare-style credit is 150% of its work RVU.\n\nIf your employer credits 100%, "
        "turn the bilateral adjustment off in Track → Credit policy.",
    )
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-menu")).to_have_text(user.email)

    page.goto("/support/tickets/")
    screenshot("support-tickets")
    page.get_by_role("link", name=re.compile(ticket.reference)).click()
    expect(page.get_by_text("Waiting for you").first).to_be_visible()
    screenshot("support-ticket")

    page.get_by_label("Your reply").fill("Thank you, that was it.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply was sent.")).to_be_visible()
    expect(page.get_by_text("Thank you, that was it.")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert console_errors == []
