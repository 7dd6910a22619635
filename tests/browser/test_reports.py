"""Reports in a real browser: an attending with a year of entries downloads the PDF and the CSV."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from codes.wrvu import LineSpec
from tests.browser.test_tracking import sign_in
from tracking import services
from tracking.models import Location, ProcedureLog

pytestmark = pytest.mark.browser


@pytest.fixture
def year_of_entries(attending, release):
    """One encounter a week for a year: a clinic visit most weeks, a knee every fourth."""
    main = Location.objects.create(user=attending, name="Main OR")
    today = timezone.localdate()
    for week in range(52):
        day = today - dt.timedelta(days=7 * week + 1)
        if week % 4 == 0:
            lines, setting, location = (
                [LineSpec("27447", ("50",)), LineSpec("20610")],
                "facility",
                main,
            )
        else:
            lines, setting, location = [LineSpec("99213")], "non_facility", None
        services.encounter_create(
            user=attending,
            details=services.EntryDetails(date=day, setting=setting, location=location),
            lines=lines,
            release=release,
        )
    return ProcedureLog.objects.filter(user=attending)


def test_an_attending_downloads_the_pdf_and_the_csv_of_a_year(
    page, live_server, attending, year_of_entries, screenshot
):
    sign_in(page, live_server, attending)
    page.goto("/track/")
    page.get_by_role("link", name="Reports", exact=True).click()

    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    expect(page.get_by_test_id("report-entries")).to_have_text(str(year_of_entries.count()))
    screenshot("reports")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF report").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    body = pdf.path().read_bytes()
    assert body.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Work RVU report" in text
    assert f"Entries {year_of_entries.count()}" in text
    assert "27447-50 Total knee arthroplasty RVU25D 13 13" in text
    assert "Data: CMS Physician Fee Schedule RVU25D" in text

    # a quarter only: the filter goes into the download links
    start = timezone.localdate() - dt.timedelta(days=90)
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_role("button", name="Apply").click()
    in_quarter = year_of_entries.filter(date__gte=start).count()
    expect(page.get_by_test_id("report-entries")).to_have_text(str(in_quarter))

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    download = csv_download.value
    assert download.suggested_filename.startswith(f"rvuedge-wrvu-{start.isoformat()}_")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == in_quarter < year_of_entries.count()
    assert min(row["Date"] for row in rows) >= start.isoformat()
    assert {row["Release"] for row in rows} == {"RVU25D"}


def test_an_attending_imports_a_file_seeing_the_bad_row_first(
    page, live_server, attending, release, screenshot, tmp_path
):
    day = (timezone.localdate() - dt.timedelta(days=2)).strftime("%m/%d/%Y")
    path = tmp_path / "ehr-export.csv"
    path.write_text(
        "Service Date,CPT Code,Modifier,Qty,Facility Name\n"
        f"{day},47562,,1,Main OR\n{day},19303,,1,Main OR\n{day},99999,,1,Main OR\n"
    )
    sign_in(page, live_server, attending)
    page.goto("/track/")
    page.get_by_role("link", name="Import", exact=True).click()

    page.get_by_label("CSV or XLSX file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and choose columns").click()
    expect(page.get_by_label("Code (CPT/HCPCS)")).to_have_value("CPT Code")
    expect(page.get_by_label("Location")).to_have_value("Facility Name")
    page.get_by_role("button", name="Check the rows").click()

    expect(page.locator("#import-errors")).to_contain_text("99999 is not a code in RVU25D.")
    expect(page.locator("#import-counts")).to_contain_text("1 with an error")
    screenshot("import-preview")
    page.get_by_label("Import all valid rows").check()
    page.get_by_role("button", name="Import").click()

    expect(page.locator("#import-progress")).to_contain_text(
        "Imported 2 of 3 rows as 2 encounters with RVU25D."
    )
    screenshot("import-done")
    assert ProcedureLog.objects.filter(user=attending).count() == 2


def test_an_import_reads_places_of_service_and_groups_a_patients_rows(
    page, live_server, attending, release, screenshot, tmp_path
):
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    path = tmp_path / "clinic-day.csv"
    path.write_text(
        "Encounter,DOS,CPT,POS\n"
        f"E-1,{day},19303,22\nE-1,{day},47562,22\nE-2,{day},99213,Office\nE-3,{day},20610,30\n"
    )
    sign_in(page, live_server, attending)
    page.goto("/track/import/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and choose columns").click()
    expect(page.get_by_label("Setting")).to_have_value("POS")
    expect(page.get_by_label("Encounter or patient reference")).to_have_value("Encounter")
    page.get_by_role("button", name="Check the rows").click()

    expect(page.locator("#import-sample")).to_contain_text("22 On campus-outpatient hospital")
    expect(page.locator("#import-sample")).to_contain_text("Office (POS 11) → non-facility")
    expect(page.locator("#import-errors")).to_contain_text("30 is not a CMS place-of-service")
    expect(page.locator("#import-encounters")).to_contain_text("form 2 encounters")
    screenshot("import-pos-preview")
    page.get_by_label("Import all valid rows").check()
    page.get_by_role("button", name="Import").click()

    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("Imported 3 of 4 rows as 2 encounters with RVU25D.")
    expect(progress).to_contain_text("1 row with an error was left out.")
    logs = ProcedureLog.objects.filter(user=attending)
    assert len({log.encounter_id for log in logs}) == 2
