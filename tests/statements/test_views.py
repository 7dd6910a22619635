"""Statement pages: upload, columns and period, results with their summary, filters and lines,
the dispute packet (PDF and CSV), the history, delete. Owner only: another user 404, anonymous
to sign in. Bad uploads (NUL bytes, a huge file, wrong columns) get a clear 400 and lose
nothing."""

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from statements import reading
from statements.models import Statement
from tests.tracking.test_hostile_uploads import real_workbook_with_sheet
from tracking.portability import tables

from . import month

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(attending, rvu26c):
    month.log_month(attending, rvu26c)
    return attending


def upload(client, body: bytes, name="october.csv"):
    handle = io.BytesIO(body)
    handle.name = name
    return client.post(reverse("statements:list"), {"file": handle})


def columns_form(statement, **changes):
    data = {name: header for name, header in statement.columns.items()}
    data |= {"period_from": "2025-10-01", "period_to": "2025-10-31"} | changes
    return data


def reconciled(client, user, body=None, name="october.csv") -> Statement:
    client.force_login(user)
    response = upload(client, body or month.csv_per_line(), name)
    assert response.status_code == 302, response.content.decode()[:2000]
    statement = Statement.objects.filter(user=user).latest("pk")
    assert response.url == reverse("statements:columns", args=[statement.pk])
    response = client.post(response.url, columns_form(statement))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == reverse("statements:detail", args=[statement.pk])
    statement.refresh_from_db()
    return statement


@pytest.fixture
def statement(client, logged):
    found = reconciled(client, logged)
    client.logout()
    return found


OWNED = [
    ("statements:detail", "get"),
    ("statements:progress", "get"),
    ("statements:delete", "get"),
    ("statements:delete", "post"),
    ("statements:again", "post"),
    ("statements:columns", "get"),
    ("statements:dispute_pdf", "get"),
    ("statements:dispute_csv", "get"),
]


@pytest.mark.parametrize(("name", "method"), OWNED)
def test_the_owner_reaches_their_statement(client, logged, statement, name, method):
    client.force_login(logged)

    response = getattr(client, method)(reverse(name, args=[statement.pk]))

    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "method"), OWNED)
def test_another_user_gets_404(client, other_user, statement, name, method):
    client.force_login(other_user)

    response = getattr(client, method)(reverse(name, args=[statement.pk]))

    assert response.status_code == 404
    assert Statement.objects.filter(pk=statement.pk).exists()


@pytest.mark.parametrize(("name", "method"), OWNED)
def test_anonymous_is_sent_to_sign_in(client, statement, name, method):
    response = getattr(client, method)(reverse(name, args=[statement.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_results_page_shows_the_summary_and_every_line(client, logged, statement):
    client.force_login(logged)

    page = client.get(reverse("statements:detail", args=[statement.pk])).content.decode()

    assert 'data-testid="count-differs">10<' in page
    assert 'data-testid="count-matched">9<' in page
    assert 'data-testid="owed-policy">1.766<' in page
    assert page.count("<tr data-status=") == len(month.EXPECTED)
    assert "The statement drops modifier 50 from 27447" in page
    assert "15.625" in page and "3.125" in page  # four places where they have them, not 15.63
    assert "Download dispute PDF" in page


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("?status=differs", 10),
        ("?status=missing_from_statement", 2),
        ("?rule=gpci", 1),
        ("?code=99213", 4),
        ("?status=matched&code=99213", 2),
        ("?status=bogus", len(month.EXPECTED)),  # an unknown choice filters nothing
    ],
)
def test_the_lines_can_be_filtered(client, logged, statement, query, rows):
    client.force_login(logged)

    page = client.get(reverse("statements:detail", args=[statement.pk]) + query).content.decode()

    assert page.count("<tr data-status=") == rows


def test_the_dispute_csv_lists_each_missing_or_under_credited_line(client, logged, statement):
    client.force_login(logged)

    response = client.get(reverse("statements:dispute_csv", args=[statement.pk]))

    assert response["Content-Disposition"] == (
        'attachment; filename="rvuedge-statement-2025-10-01_2025-10-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    summary = {row[0]: row[1] for row in rows if len(row) == 2}
    assert summary["Owed, net (your policy)"] == "1.766"
    start = rows.index(next(row for row in rows if row[:1] == ["Date of service"]))
    lines = [dict(zip(rows[start], row, strict=True)) for row in rows[start + 1 :]]
    owed = {key: item for key, item in month.EXPECTED.items() if item[2] > 0}
    assert [(int(line["Date of service"][-2:]), line["Code"]) for line in lines] == sorted(owed)
    knee = next(line for line in lines if line["Code"] == "27447")
    assert (knee["Your log wRVU (your policy)"], knee["Statement wRVU"], knee["Owed wRVU"]) == (
        "29.40", "19.60", "9.80",
    )  # fmt: skip
    assert (knee["Rule"], knee["Release"]) == ("Modifier dropped", "RVU25D")
    assert summary["Under-credited or missing, listed below"] == str(
        sum(i[2] for i in owed.values())
    )


def test_the_dispute_pdf_holds_the_summary_and_the_lines(client, logged, statement):
    client.force_login(logged)

    response = client.get(reverse("statements:dispute_pdf", args=[statement.pk]))

    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "wRVU statement: lines to review" in text
    assert "Owed, net (your policy) 1.766" in text
    assert "2025-10-23 27447 1 29.40 19.60 9.80 Modifier dropped" in text
    assert "2025-10-09 99213 1 1.30 none 1.30 Missing from the statement" in text
    assert "Data: CMS Physician Fee Schedule RVU25D" in text


def test_the_history_lists_each_statement_with_its_totals(client, logged, statement):
    client.force_login(logged)

    page = client.get(reverse("statements:list")).content.decode()

    assert 'data-testid="history"' in page and "2025-10-01 to 2025-10-31" in page
    assert "181.80" in page and "181.646" in page and "1.766" in page
    assert 'id="statements-chart-data"' in page


def test_without_statements_the_page_says_what_to_do(client, attending):
    client.force_login(attending)

    page = client.get(reverse("statements:list")).content.decode()

    assert 'data-testid="no-statements"' in page
    assert "No statement reconciled yet." in page


def test_a_statement_is_deleted_after_confirming(client, logged, statement):
    client.force_login(logged)
    url = reverse("statements:delete", args=[statement.pk])

    assert "Delete the statement october.csv?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Statement.objects.exists()


def test_the_tracker_menu_links_here_for_attendings_not_residents(client, attending, resident):
    client.force_login(attending)
    assert (
        'href="/track/statements/">Statements</a>'
        in client.get(reverse("tracking:history")).content.decode()
    )
    client.force_login(resident)
    assert "/track/statements/" not in client.get(reverse("tracking:history")).content.decode()


# Bad uploads -------------------------------------------------------------------------------


def test_a_csv_of_nul_bytes_is_refused_at_upload(client, attending, rvu26c):
    client.force_login(attending)

    response = upload(client, b"\x00" * 5000)

    assert response.status_code == 400
    assert "This file is not a text CSV file." in response.content.decode()
    assert not Statement.objects.exists()


def test_a_nul_byte_in_one_cell_fails_that_row_and_keeps_the_upload(client, logged):
    client.force_login(logged)
    padding = b"10/01/2025,99213,,1,Dr Test,E0000,1.30\n" * 120  # past the 4 kB sniffed whole
    body = month.csv_per_line() + padding + b"10/02/2025,99213,,1,Dr \x00Test,E9999,1.30\n"
    upload(client, body)
    statement = Statement.objects.get()

    response = client.post(
        reverse("statements:columns", args=[statement.pk]), columns_form(statement)
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "1 row of the statement cannot be read" in page
    assert "A cell holds a NUL character" in page
    statement.refresh_from_db()
    assert statement.status == Statement.Status.MAPPING and bytes(statement.data)


def test_a_huge_file_is_refused_before_it_is_read(client, attending, rvu26c, settings):
    settings.STATEMENTS_MAX_BYTES = 2 * 1024 * 1024
    client.force_login(attending)

    response = upload(client, b"date,code,wrvu\n" + b"2025-10-01,99213,1.30\n" * 110_000)

    assert response.status_code == 400
    assert "The file is larger than 2 MB." in response.content.decode()
    assert not Statement.objects.exists()


def test_too_many_rows_stop_at_the_limit(client, attending, rvu26c, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 10)
    client.force_login(attending)

    response = upload(client, b"date,code,wrvu\n" + b"2025-10-01,99213,1.30\n" * 11)

    assert response.status_code == 400
    assert "At most 10 rows per file; split it." in response.content.decode()


def test_wrong_columns_say_which_are_missing_and_keep_the_upload(client, attending, rvu26c):
    client.force_login(attending)
    upload(client, b"Day,Thing,Value\n2025-10-01,99213,1.30\n")
    statement = Statement.objects.get()
    assert statement.columns == {}

    response = client.post(
        reverse("statements:columns", args=[statement.pk]),
        {"date": "Day", "code": "", "wrvu": "Value", "period_from": "", "period_to": ""},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        reverse("statements:columns", args=[statement.pk]),
        {"date": "Day", "code": "Thing", "wrvu": "Day", "period_from": "", "period_to": ""},
    )
    assert "Each column can hold one field only." in response.content.decode()
    response = client.post(
        reverse("statements:columns", args=[statement.pk]),
        {"date": "Thing", "code": "Day", "wrvu": "Value", "period_from": "", "period_to": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“99213” is not a date" in page and "“2025-10-01” is not a CPT or HCPCS code" in page
    statement.refresh_from_db()
    assert statement.status == Statement.Status.MAPPING


def test_a_file_of_another_type_is_refused(client, attending, rvu26c):
    client.force_login(attending)

    response = upload(client, b"%PDF-1.7", "statement.docx")

    assert response.status_code == 400
    assert "Upload a .csv or .xlsx or .pdf file." in response.content.decode()


def test_the_columns_are_remembered_for_the_next_statement(client, logged, statement):
    client.force_login(logged)
    body = month.csv_per_line().replace(b"wRVU", b"Credit amount")
    upload(client, body.replace(b"Service Date", b"When"))
    latest = Statement.objects.latest("pk")

    assert latest.columns["wrvu"] == "Credit amount"
    assert "date" not in latest.columns  # "When" names nothing we know, and was not chosen


def test_hostile_workbooks_and_pdfs_are_refused_with_a_clear_message(client, attending, rvu26c):
    client.force_login(attending)
    dtd = real_workbook_with_sheet(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    many_pages = PdfWriter()
    for _ in range(reading.PAGE_LIMIT + 1):
        many_pages.add_blank_page(width=72, height=72)
    locked = PdfWriter()
    locked.add_blank_page(width=72, height=72)
    locked.encrypt("secret")
    files = []
    for writer in (many_pages, locked):
        out = io.BytesIO()
        writer.write(out)
        files.append(out.getvalue())

    cases = [
        (dtd, "s.xlsx", "This workbook declares a DTD, which is not accepted."),
        (files[0], "s.pdf", f"At most {reading.PAGE_LIMIT} pages per statement; split it."),
        (files[1], "s.pdf", "This PDF is password-protected: save it without a password."),
    ]
    for body, name, message in cases:
        response = upload(client, body, name)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Statement.objects.exists()
