"""Reading a statement: columns guessed from its own names, a header under a title block, the
period a title states, rows in any format (modifiers in any order, counts, reversals), and a
PDF's text table page by page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from statements import reading

TODAY = dt.date(2026, 1, 15)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["DOS", "CPT", "Mod", "Units", "Credited wRVU", "Provider", "Encounter #"],
            {"date": "DOS", "code": "CPT", "modifiers": "Mod", "units": "Units",
             "wrvu": "Credited wRVU", "encounter": "Encounter #", "provider": "Provider"},
        ),
        (
            ["Service Date", "Post Date", "HCPCS", "Count", "Work RVU", "Total wRVUs"],
            {"date": "Service Date", "code": "HCPCS", "units": "Count", "wrvu": "Total wRVUs"},
        ),
        (
            ["Date of Service", "Procedure Code", "Qty", "wRVU", "Department"],
            {"date": "Date of Service", "code": "Procedure Code", "units": "Qty", "wrvu": "wRVU",
             "location": "Department"},
        ),
    ],
)  # fmt: skip
def test_columns_are_guessed_from_a_statements_own_names(headers, expected):
    assert reading.guess_columns(headers) == expected


def test_a_remembered_column_wins_where_the_file_has_it():
    headers = ["DOS", "CPT", "RVU", "Total wRVU"]
    assert reading.guess_columns(headers, {"wrvu": "RVU"})["wrvu"] == "RVU"
    assert reading.guess_columns(headers, {"wrvu": "Gone"})["wrvu"] == "Total wRVU"


def test_the_header_is_found_under_a_title_block_and_the_period_read_from_it():
    body = (
        b"Physician productivity statement\n"
        b"Provider: Dr Test,,,\n"
        b"Period: 10/01/2025 - 10/31/2025\n"
        b"\n"
        b"DOS,CPT,Mod,wRVU\n"
        b"10/02/2025,99213,,1.30\n"
    )

    table = reading.read_statement(body, "csv")

    assert table.headers == ["DOS", "CPT", "Mod", "wRVU"]
    assert list(table.rows) == [(6, ["10/02/2025", "99213", "", "1.30"])]
    assert reading.period_in_title(table.preamble) == (dt.date(2025, 10, 1), dt.date(2025, 10, 31))


@pytest.mark.parametrize(
    ("title", "period"),
    [
        (["October 2025 productivity"], (dt.date(2025, 10, 1), dt.date(2025, 10, 31))),
        (["From Feb 1, 2024 to Feb 29, 2024"], (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        (["2025-07-01 through 2025-09-30"], (dt.date(2025, 7, 1), dt.date(2025, 9, 30))),
        (["Dr Test, cardiology"], None),
    ],
)
def test_the_period_a_title_states(title, period):
    assert reading.period_in_title(title) == period


def row(**values):
    return reading.check_row(7, values, today=TODAY)


@pytest.mark.parametrize(
    ("values", "code", "modifiers", "units", "wrvu", "places"),
    [
        ({"date": "2025-10-02", "code": "27447", "modifiers": "50", "wrvu": "29.40"},
         "27447", ("50",), 1, Decimal("29.40"), 2),
        ({"date": "10/02/2025", "code": "27447-50", "wrvu": "29.4"}, "27447", ("50",), 1,
         Decimal("29.4"), 2),
        ({"date": "10/02/2025", "code": "27447", "modifiers": "LT, 50", "wrvu": "0.385"},
         "27447", ("LT", "50"), 1, Decimal("0.385"), 3),
        ({"date": "10/02/2025", "code": "27447", "modifiers": "50LT", "wrvu": "1"}, "27447",
         ("50", "LT"), 1, Decimal("1"), 2),
        ({"date": "10/02/2025", "code": "99213", "units": "3", "wrvu": "3.90"}, "99213", (), 3,
         Decimal("3.90"), 2),
        ({"date": "10/02/2025", "code": "99213", "units": "-1", "wrvu": "(1.30)"}, "99213", (),
         1, Decimal("-1.30"), 2),
        ({"date": "10/02/2025", "code": "j3490", "wrvu": "1,234.50"}, "J3490", (), 1,
         Decimal("1234.50"), 2),
        ({"date": dt.datetime(2025, 10, 2), "code": 99213.0, "wrvu": 0.385}, "99213", (), 1,
         Decimal("0.385"), 3),
    ],
)  # fmt: skip
def test_a_row_reads_in_any_format(values, code, modifiers, units, wrvu, places):
    found = row(**values)

    assert found.errors == []
    assert (found.code, found.modifiers, found.units, found.wrvu, found.places) == (
        code,
        modifiers,
        units,
        wrvu,
        places,
    )
    assert found.date == dt.date(2025, 10, 2)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"date": "", "code": "99213", "wrvu": "1.3"}, "The date of service is missing."),
        ({"date": "yesterday", "code": "99213", "wrvu": "1.3"}, "“yesterday” is not a date"),
        ({"date": "2027-01-01", "code": "99213", "wrvu": "1.3"}, "2027-01-01 is in the future."),
        ({"date": "2025-10-02", "code": "", "wrvu": "1.3"}, "The code is missing."),
        ({"date": "2025-10-02", "code": "knee", "wrvu": "1.3"}, "“knee” is not a CPT or HCPCS"),
        ({"date": "2025-10-02", "code": "99213", "wrvu": ""}, "The credited wRVU is missing."),
        ({"date": "2025-10-02", "code": "99213", "wrvu": "lots"}, "“lots” is not a number"),
        ({"date": "2025-10-02", "code": "99213", "wrvu": "1", "units": "1.5"}, "whole number"),
        ({"date": "2025-10-02", "code": "99213", "wrvu": "1", "modifiers": "5"}, "not a modifier"),
        ({"date": "2025-10-02", "code": "99213", "wrvu": "1\x00"}, "NUL character"),
    ],
)
def test_a_row_that_cannot_be_read_says_why(values, error):
    found = row(**values)

    assert not found.ok
    assert error in " ".join(found.errors)


@pytest.mark.parametrize(
    "values",
    [
        {"date": "Total", "code": "", "wrvu": "123.45"},
        {"date": "", "code": "", "wrvu": "123.45"},
        {"date": "Page 1 of 3", "code": ""},
    ],
)
def test_subtotals_and_footers_are_not_lines(values):
    assert row(**values) is None


def statement_pdf(rows, *, title="Productivity statement October 2025") -> bytes:
    out = io.BytesIO()
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("ALIGN", (3, 0), (-1, -1), "RIGHT")]))
    styles = getSampleStyleSheet()
    SimpleDocTemplate(out, pagesize=letter).build([Paragraph(title, styles["Title"]), table])
    return out.getvalue()


def test_a_pdf_text_table_is_read_page_by_page_with_empty_cells_kept():
    lines = [
        ["10/01/2025", "99213", "", "1", "Dr Smith", "1.30"],
        ["10/03/2025", "27447", "50", "1", "Dr Smith Jones", "29.40"],
    ] * 40  # three pages, the header repeated on each
    data = statement_pdf([["Service Date", "CPT", "Mod", "Units", "Provider", "wRVU"], *lines])

    table = reading.read_statement(data, "pdf")
    columns = reading.guess_columns(table.headers)
    rows = [values for _, values in reading.tables.records(table.headers, table.rows, columns)]

    assert table.headers == ["Service Date", "CPT", "Mod", "Units", "Provider", "wRVU"]
    assert reading.period_in_title(table.preamble) == (dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    assert len(rows) == 80
    assert rows[0] == {"date": "10/01/2025", "code": "99213", "modifiers": "", "units": "1",
                       "wrvu": "1.30", "provider": "Dr Smith"}  # fmt: skip
    assert rows[79]["modifiers"] == "50" and rows[79]["wrvu"] == "29.40"
    assert {r["provider"] for r in rows} == {"Dr Smith", "Dr Smith Jones"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not really", "This is not a readable PDF."),
        (b"%PDF-1.4\n%%EOF\n", "This is not a readable PDF."),
    ],
)
def test_a_damaged_pdf_is_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as caught:
        reading.read_statement(data, "pdf")
    assert message in caught.value.messages[0]


def test_a_pdf_without_text_says_to_export_it_otherwise():
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=letter).build([Table([[""]])])

    with pytest.raises(ValidationError) as caught:
        reading.read_statement(out.getvalue(), "pdf")
    assert "holds no text table (a scanned image?)" in caught.value.messages[0]
