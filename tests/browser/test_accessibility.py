"""axe-core over the site in a real browser: public pages, a signed-in attending's and a
resident's, at desktop width and at phone width, and a few states that only script opens
(suggestion lists, a preview with errors). No page may have a violation of any impact.

axe-core is a pinned copy in tests/browser/vendor (its licence beside it): it is never served
to visitors. It goes in as an init script, which the page's Content-Security-Policy does not
govern, so the `page` fixture's check that the policy refused nothing still holds.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Post
from codes.wrvu import LineSpec
from ncci import services as ncci_services
from resources.models import Guide
from support.models import Article
from tests.browser.test_tracking import sign_in
from tests.factories import UserFactory
from tests.ncci.test_files import PTP_FIXTURE
from tracking import services
from tracking.models import ProcedureLog

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Every impact fails, not only serious and critical: the site has none of any kind today.
IMPACTS = {"critical", "serious", "moderate", "minor"}
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

PUBLIC = [
    "/", "/medical-students/", "/residents/", "/attendings/", "/privacy/", "/terms/",
    "/disclaimer/", "/cpt-codes/", "/cpt-codes/99213/", "/cpt-codes/27447/", "/cpt-codes/71046/",
    "/cpt-codes/J3490/", "/cpt-codes/99291/", "/cpt-codes/99999/", "/cpt-codes/search/?q=knee",
    "/cpt-codes/search/?q=zzzzqqq", "/resources/", "/resources/glossary/",
    "/resources/wrvu-calculator/", "/resources/medicare-payment-calculator/",
    "/resources/medicare-payment-calculator/?code=27447", "/resources/benchmarks/", "/blog/",
    "/support/", "/support/faq/", "/support/search/?q=export", "/support/contact/",
    "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/no-such-page/",
]  # fmt: skip
SIGNED_IN = [
    "/track/", "/track/dashboard/", "/track/history/", "/track/templates/", "/track/locations/",
    "/track/goals/", "/track/policy/", "/track/reprice/", "/track/reports/", "/track/import/",
    "/track/review/",
    "/accounts/settings/", "/accounts/settings/tokens/", "/accounts/email/",
    "/accounts/password/change/", "/support/tickets/", "/support/contact/", "/cpt-codes/27447/",
    "/",
]  # fmt: skip
RESIDENT = [
    "/track/", "/track/case-log/", "/track/dashboard/", "/track/history/", "/residents/",
    "/medical-students/",
]  # fmt: skip
PHONE_PUBLIC = [
    "/", "/cpt-codes/99213/", "/cpt-codes/71046/", "/cpt-codes/search/?q=knee", "/blog/",
]  # fmt: skip
PHONE_SIGNED_IN = [
    "/track/", "/track/history/", "/track/dashboard/", "/track/goals/", "/track/review/",
]  # fmt: skip
# Code pages whose coding edits are all loaded (the bundled MUE and AOC, the PTP fixture).
EDITED_CODES = ["/cpt-codes/64484/", "/cpt-codes/27447/", "/cpt-codes/99213/", "/cpt-codes/J3490/"]


def axe_problems(page, path: str, label: str) -> list[tuple[str, str]]:
    """Run axe on the page as it stands: (problem, where) for each blocking violation's node."""
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        (
            f"{violation['id']} ({violation['impact']}) {', '.join(map(str, node['target']))}: "
            + node["failureSummary"].splitlines()[-1].strip(),
            f"{label} {path}",
        )
        for violation in results["violations"]
        if violation["impact"] in IMPACTS
        for node in violation["nodes"]
    ]


def audit(page, paths, label: str) -> list[tuple[str, str]]:
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status in (200, 404), (path, response.status)
        page.wait_for_load_state("load")
        problems += axe_problems(page, path, label)
    return problems


def report(problems: list[tuple[str, str]]) -> str:
    """Each problem once, with the pages it is on."""
    pages: dict[str, list[str]] = {}
    for problem, where in problems:
        pages.setdefault(problem, []).append(where)
    return "\n".join(f"{problem}\n    on {', '.join(where)}" for problem, where in pages.items())


@pytest.fixture
def axe_page(page):
    page.context.add_init_script(path=AXE)
    page.set_viewport_size(WIDE)
    return page


def editorial_pages() -> list[str]:
    """A blog post, a guide and a help article: their addresses come from the loaded content."""
    return [
        Post.objects.published().first().get_absolute_url(),
        Guide.objects.first().get_absolute_url(),
        Article.objects.first().get_absolute_url(),
    ]


def test_the_audit_covers_at_least_forty_addresses():
    # Besides these, a blog post, a guide, a help article, a browse section, an entry (view,
    # edit, delete) and a ticket, whose addresses come from the data.
    assert len(set(PUBLIC) | set(SIGNED_IN) | set(RESIDENT)) >= 40


def test_public_pages_have_no_serious_violations(axe_page, site):
    axe_page.goto("/cpt-codes/")
    section = axe_page.locator("a[href^='/cpt-codes/browse/']").first.get_attribute("href")

    problems = audit(axe_page, PUBLIC + editorial_pages() + [section], "anonymous")

    assert not problems, report(problems)


def test_signed_in_pages_have_no_serious_violations(axe_page, live_server, logged_attending):
    sign_in(axe_page, live_server, logged_attending)
    entry = ProcedureLog.objects.filter(user=logged_attending).first()
    ticket = logged_attending.support_tickets.get()
    pages = [
        *SIGNED_IN,
        f"/track/entries/{entry.pk}/",
        f"/track/entries/{entry.pk}/edit/",
        f"/track/entries/{entry.pk}/delete/",
        ticket.get_absolute_url(),
    ]

    problems = audit(axe_page, pages, "attending")

    assert not problems, report(problems)


def test_a_residents_pages_have_no_serious_violations(axe_page, live_server, site):
    resident = UserFactory(career_stage="resident", pgy_year=2, program="General Surgery")
    for role, code in (("performed", "47562"), ("assisted", "44970")):
        services.encounter_create(
            user=resident,
            details=services.EntryDetails(
                date=timezone.localdate(),
                setting="facility",
                role=role,
                supervising_attending="Dr. Rivera",
            ),
            lines=[LineSpec(code)],
            release=site,
        )
    sign_in(axe_page, live_server, resident)

    problems = audit(axe_page, RESIDENT, "resident")

    assert not problems, report(problems)


def test_phone_width_pages_have_no_serious_violations(axe_page, live_server, logged_attending):
    axe_page.set_viewport_size(PHONE)
    problems = audit(axe_page, PHONE_PUBLIC, "phone")
    sign_in(axe_page, live_server, logged_attending)

    problems += audit(axe_page, PHONE_SIGNED_IN, "phone, attending")

    assert not problems, report(problems)


def test_coding_edits_on_code_pages_and_the_entries_to_review_pass(
    axe_page, live_server, logged_attending, site, settings
):
    ncci_services.edits_import(source=settings.NCCI_DATA_DIR)
    ncci_services.edits_import(source=PTP_FIXTURE)
    services.encounter_create(  # an add-on without its primary: an entry to review
        user=logged_attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("64484")],
        release=site,
    )
    problems = audit(axe_page, EDITED_CODES, "with coding edits")
    axe_page.set_viewport_size(PHONE)
    problems += audit(axe_page, EDITED_CODES, "phone, with coding edits")
    sign_in(axe_page, live_server, logged_attending)
    problems += audit(axe_page, ["/track/review/"], "phone, entries to review")
    expect(axe_page.locator(".review-entry")).to_contain_text("64484")
    axe_page.set_viewport_size(WIDE)
    problems += audit(axe_page, ["/track/review/"], "entries to review")

    assert not problems, report(problems)


def test_open_suggestion_lists_and_a_preview_with_errors_pass(
    axe_page, live_server, logged_attending
):
    sign_in(axe_page, live_server, logged_attending)
    axe_page.goto("/track/")
    box = axe_page.get_by_label("Procedures")
    box.press_sequentially("99213 kne", delay=20)
    expect(axe_page.get_by_role("listbox", name="Suggested codes").first).to_be_visible()
    problems = axe_problems(axe_page, "/track/", "suggestions open")

    box.fill("99213 99999 ")
    expect(axe_page.locator("#preview")).to_contain_text("99999 is not a code")
    problems += axe_problems(axe_page, "/track/", "preview with errors")

    axe_page.get_by_role("combobox", name="Search codes").press_sequentially("knee", delay=20)
    expect(axe_page.get_by_role("option").first).to_be_visible()
    problems += axe_problems(axe_page, "/track/", "header suggestions open")

    assert not problems, report(problems)


def test_a_half_typed_word_is_not_marked_wrong_while_its_suggestions_are_open(
    page, live_server, logged_attending
):
    sign_in(page, live_server, logged_attending)
    page.goto("/track/")
    box = page.get_by_label("Procedures")
    box.press_sequentially("99213 kne", delay=20)
    suggestions = page.get_by_role("listbox", name="Suggested codes").first
    expect(suggestions).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="suggested")).to_have_count(1)

    page.wait_for_timeout(600)  # longer than the preview's delay: it waits for the list
    expect(page.locator("#preview")).not_to_contain_text("KNE")
    assert box.get_attribute("role") is None  # a textarea stays a textbox
    assert box.get_attribute("aria-controls") == "code-suggestions"

    box.press("Escape")  # the list closes unchosen: now the preview marks the word
    expect(suggestions).to_be_hidden()
    expect(page.locator("#preview")).to_contain_text("“KNE” is not a CPT or HCPCS code")

    box.fill("99213 kne")
    expect(suggestions).to_be_visible()
    suggestions.get_by_role("option").first.click()
    expect(box).to_have_value(re.compile(r"^99213 \d{5} $"))
    expect(page.locator("#preview")).to_contain_text("Ready: press Enter to save.")
