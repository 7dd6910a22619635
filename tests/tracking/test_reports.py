"""Reports page and the CSV, XLSX and PDF exports of a filtered period, read back."""

import csv
import datetime as dt
import io
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from codes.wrvu import LineSpec
from rvuedge import rounding
from tracking import services
from tracking.models import Location, ProcedureLog
from tracking.portability.exports import COLUMNS, CPT_NOTICE

pytestmark = pytest.mark.django_db


def log(user, release, days_ago, lines, *, setting="facility", location=None, note=""):
    return services.encounter_create(
        user=user,
        details=services.EntryDetails(
            date=timezone.localdate() - dt.timedelta(days=days_ago),
            setting=setting,
            location=location,
            note=note,
        ),
        lines=lines,
        release=release,
    )


@pytest.fixture
def entries(attending, other_user, release):
    """Five entries of the attending over ten months, and one of another user."""
    main = Location.objects.create(user=attending, name="Main OR")
    log(attending, release, 3, [LineSpec("99213")], setting="non_facility", note="=cmd|calc")
    log(attending, release, 40, [LineSpec("27447", ("50",)), LineSpec("20610")], location=main)
    log(attending, release, 120, [LineSpec("99214")])
    log(attending, release, 300, [LineSpec("47562")], location=main)
    log(other_user, release, 5, [LineSpec("19303")])
    return ProcedureLog.objects.filter(user=attending)


def url(fmt, **query):
    base = reverse("tracking:export", args=[fmt])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


# Access ----------------------------------------------------------------------------------------

DOWNLOADS = [
    reverse("tracking:reports"),
    url("csv"),
    url("xlsx"),
    url("pdf"),
    reverse("tracking:backup"),
]


@pytest.mark.parametrize("path", DOWNLOADS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("path", DOWNLOADS)
def test_the_owner_gets_each_page_and_download(client, attending, entries, path):
    client.force_login(attending)

    assert client.get(path).status_code == 200


def test_another_user_exports_only_their_own_entries(client, other_user, entries):
    client.force_login(other_user)

    rows = read_csv(client.get(url("csv")))

    assert [row["Code"] for row in rows] == ["19303"]


def test_another_users_location_is_not_a_valid_filter(client, other_user, entries):
    client.force_login(other_user)
    location = Location.objects.get(name="Main OR")

    response = client.get(url("csv", location=location.pk))

    assert response.status_code == 400


def test_an_unknown_format_is_not_found(client, attending):
    client.force_login(attending)

    assert client.get(url("docx")).status_code == 404


def test_a_bad_filter_shows_the_error_instead_of_a_file(client, attending, entries):
    client.force_login(attending)

    response = client.get(url("pdf", start="31/31/2025"))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Enter a valid date" in response.content.decode()


# Reports page ----------------------------------------------------------------------------------


def test_the_reports_page_shows_the_selection_and_links_carrying_the_filters(
    client, attending, entries
):
    client.force_login(attending)
    start = (timezone.localdate() - dt.timedelta(days=60)).isoformat()

    response = client.get(reverse("tracking:reports"), {"start": start})

    html = response.content.decode()
    assert 'data-testid="report-entries">3<' in html
    assert f"{url('pdf')}?start={start}" in html
    assert f"{url('csv')}?start={start}" in html
    assert f"{url('xlsx')}?start={start}" in html


# CSV -------------------------------------------------------------------------------------------


def test_the_csv_streams_every_entry_with_its_stored_credit(client, attending, entries):
    client.force_login(attending)

    response = client.get(url("csv"))

    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="rvuedge-wrvu-')
    rows = read_csv(response)
    assert list(rows[0]) == [header for header, _ in COLUMNS]
    assert [r["Code"] for r in rows] == ["47562", "99214", "27447", "20610", "99213"]
    knee = next(r for r in rows if r["Code"] == "27447")
    stored = entries.get(code__code="27447")
    assert (knee["Modifiers"], knee["Location"], knee["Release"]) == ("50", "Main OR", "RVU25D")
    assert (knee["Raw wRVU"], knee["Medicare-style wRVU"], knee["Policy wRVU"]) == (
        str(stored.raw),
        str(stored.medicare),
        str(stored.policy),
    )
    assert sum(Decimal(r["Medicare-style wRVU"]) for r in rows) == sum(e.medicare for e in entries)


def test_the_csv_keeps_only_the_filtered_period(client, attending, entries):
    client.force_login(attending)
    today = timezone.localdate()

    rows = read_csv(
        client.get(
            url("csv", start=(today - dt.timedelta(days=60)).isoformat(), setting="facility")
        )
    )

    assert sorted(r["Code"] for r in rows) == ["20610", "27447"]


def test_a_note_that_starts_like_a_formula_is_written_as_text(client, attending, entries):
    client.force_login(attending)

    rows = read_csv(client.get(url("csv", code="99213")))

    assert rows[0]["Note"] == "'=cmd|calc"


# XLSX ------------------------------------------------------------------------------------------


def test_the_xlsx_has_entries_a_per_code_sheet_and_a_summary(client, attending, entries):
    client.force_login(attending)

    response = client.get(url("xlsx"))

    assert response["Content-Disposition"].startswith('attachment; filename="rvuedge-wrvu-')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Entries", "By code", "Summary"]
    rows = list(workbook["Entries"].iter_rows(values_only=True))
    assert list(rows[0]) == [header for header, _ in COLUMNS]
    assert len(rows) == 1 + entries.count()
    medicare = [header for header, _ in COLUMNS].index("Medicare-style wRVU")
    assert sum(Decimal(str(row[medicare])) for row in rows[1:]) == sum(e.medicare for e in entries)
    codes = {
        (row[0], row[1] or ""): row
        for row in workbook["By code"].iter_rows(min_row=2, values_only=True)
    }
    assert set(codes) == {
        ("47562", ""), ("99214", ""), ("27447", "50"), ("20610", ""), ("99213", ""),
    }  # fmt: skip
    assert codes[("27447", "50")][3:6] == ("RVU25D", 1, 1)
    summary = dict(workbook["Summary"].iter_rows(values_only=True))
    assert summary["Entries"] == 5
    assert summary["Data"] == "Data: CMS Physician Fee Schedule RVU25D"


# PDF -------------------------------------------------------------------------------------------


def pdf_text(response) -> tuple[str, PdfReader]:
    body = response.content
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    # Table cells come out one per line: compare with the whitespace collapsed.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text, reader


def test_the_pdf_has_the_summary_chart_per_code_table_and_footer(client, attending, entries):
    client.force_login(attending)
    first = timezone.localdate() - dt.timedelta(days=300)

    response = client.get(url("pdf"))

    assert response["Content-Type"] == "application/pdf"
    text, reader = pdf_text(response)
    assert len(reader.pages) >= 1
    total = rounding.credit_text(sum(e.medicare for e in entries))  # exactly as stored
    for expected in (
        "Work RVU report",
        attending.email,
        f"{first:%Y-%m-%d} to {timezone.localdate() - dt.timedelta(days=3):%Y-%m-%d}",
        "Medicare-style wRVU",
        total,
        "wRVU by month",
        "By code",
        "27447",
        "Total knee arthroplasty",
        "Data: CMS Physician Fee Schedule RVU25D",
        "CPT® is a registered trademark of the American Medical Association",
    ):
        assert expected in text, expected
    # the per-code table: 27447 with its release, one entry, its raw and credited figures
    knee = entries.get(code__code="27447")
    figures = f"{rounding.credit_text(knee.raw)} {rounding.credit_text(knee.medicare)}"
    assert f"27447-50 Total knee arthroplasty RVU25D 1 1 {figures}" in text
    assert "CPT" in CPT_NOTICE


def test_the_pdf_names_each_release_that_priced_the_period(
    client, attending, entries, newer_release
):
    today = timezone.localdate()
    services.reprice_apply(
        user=attending,
        release=newer_release,
        date_from=today - dt.timedelta(days=50),
        date_to=today,
    )
    client.force_login(attending)

    text, _ = pdf_text(client.get(url("pdf")))

    assert "Data: CMS Physician Fee Schedule RVU25D, RVU26C" in text
    assert "RVU26C" in text and "RVU25D" in text


def test_a_short_period_is_charted_by_week_and_says_its_filters(client, attending, entries):
    client.force_login(attending)
    start = (timezone.localdate() - dt.timedelta(days=45)).isoformat()

    text, _ = pdf_text(client.get(url("pdf", start=start, code="27447")))

    assert "wRVU by week" in text
    assert f"from {start}; code 27447" in text


def test_an_empty_period_still_gives_a_pdf(client, attending, release):
    client.force_login(attending)

    text, _ = pdf_text(client.get(url("pdf")))

    assert "no entries" in text
    assert "No entries in this period." in text


def test_the_series_has_every_month_of_the_period_with_empty_months_as_zero(attending, entries):
    from tracking.portability.reports import report_build

    report = report_build(entries)

    months = [row.start for row in report.series]
    assert report.granularity == "month"
    assert months[0] == (timezone.localdate() - dt.timedelta(days=300)).replace(day=1)
    assert months[-1] == (timezone.localdate() - dt.timedelta(days=3)).replace(day=1)
    assert len(months) == len(set(months)) >= 10
    assert all(b > a for a, b in itertools.pairwise(months))
    assert sum(row.entries for row in report.series) == 5
    assert sum(row.medicare for row in report.series) == sum(e.medicare for e in entries)


# Issue 14: modifiers, entries by date, pay and target ------------------------------------------


@pytest.fixture
def visits(attending, release):
    """99213 twice (one of them reduced, -52) and 99214, on three dates, logged out of order."""
    log(attending, release, 2, [LineSpec("99213", ("52",))], setting="non_facility")
    log(attending, release, 9, [LineSpec("99214")], setting="non_facility")
    log(attending, release, 5, [LineSpec("99213")], setting="non_facility")
    return ProcedureLog.objects.filter(user=attending)


def test_the_pdf_keeps_modifiers_apart_and_lists_entries_by_date(client, attending, visits):
    client.force_login(attending)

    text, _ = pdf_text(client.get(url("pdf")))

    plain = visits.get(code__code="99213", modifiers="")
    reduced = visits.get(code__code="99213", modifiers="52")
    by_code = text.split("By code", 1)[1].split("Entries by date", 1)[0]
    assert f"99213 Office o/p est low 20 min RVU25D 1 1 {plain.raw:.2f}" in by_code
    assert f"99213-52 Office o/p est low 20 min RVU25D 1 1 {reduced.raw:.2f}" in by_code
    listed = text.split("Entries by date", 1)[1]
    dates = [timezone.localdate() - dt.timedelta(days=days) for days in (9, 5, 2)]
    order = [listed.index(f"{day:%Y-%m-%d} {code}") for day, code in zip(
        dates, ("99214 1 Non-facility", "99213 1 Non-facility", "99213-52 1 Non-facility"),
        strict=True,
    )]  # fmt: skip
    assert order == sorted(order)  # oldest first, each with its modifiers


def test_the_pdf_shows_the_pay_estimate_and_the_target(client, attending, visits):
    services.preferences_update(
        user=attending,
        data={
            "annual_wrvu_target": Decimal("5000"),
            "dollars_per_wrvu": Decimal("52.00"),
            "goal_figure": "policy",
        },
    )
    client.force_login(attending)

    text, _ = pdf_text(client.get(url("pdf")))

    policy = sum(e.policy for e in visits)
    pay = (policy * Decimal("52.00")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    share = (policy * 100 / 5000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    two = policy.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert f"Counted toward goal and pay {two} Employer policy wRVU" in text
    assert f"Annual wRVU target 5,000.00 wRVU a year; these entries' {two}" in text
    assert f"are {share}% of it" in text
    assert f"Pay estimate ${pay:,} for {two} Employer policy wRVU" in text
    assert f"all wRVU: {two} × $52.00 = ${pay:,}" in text


def test_a_location_with_its_own_rate_is_paid_at_it(client, attending, release):
    clinic = Location.objects.create(user=attending, name="Clinic", dollars_per_wrvu=60)
    services.preferences_update(
        user=attending, data={"dollars_per_wrvu": Decimal("50"), "goal_figure": "raw"}
    )
    log(attending, release, 3, [LineSpec("99213")], setting="non_facility", location=clinic)
    log(attending, release, 4, [LineSpec("99214")], setting="non_facility")
    client.force_login(attending)

    text, _ = pdf_text(client.get(url("pdf")))

    at_clinic = ProcedureLog.objects.get(user=attending, location=clinic).raw
    elsewhere = ProcedureLog.objects.get(user=attending, location=None).raw
    assert f"Clinic at its own rate: {at_clinic:.2f} × $60.00" in text
    assert f"all wRVU: {elsewhere:.2f} × $50.00" in text


def test_without_pay_settings_the_pdf_says_where_to_set_them(client, attending, visits):
    client.force_login(attending)

    text, _ = pdf_text(client.get(url("pdf")))

    assert "Annual wRVU target not set (Goals & pay in the tracker)" in text
    assert "Pay estimate no $ per wRVU or tiers set" in text
