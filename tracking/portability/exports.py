"""A filtered period of the log as CSV (streamed) and XLSX (written in constant memory); the PDF
report is in tracking.portability.pdf.

The CSV and XLSX columns are the importer's field names, so an export imports back.
"""

from __future__ import annotations

import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from rvuedge.spreadsheets import csv_lines, safe_row
from tracking.portability.reports import Report

CHUNK_SIZE = 2000
BOLD = Font(bold=True)
CPT_NOTICE = (
    "CPT® is a registered trademark of the American Medical Association. CPT codes and "
    "descriptors are copyright American Medical Association; all rights reserved."
)
# (header, values_list path)
COLUMNS = [
    ("Date", "date"),
    ("Code", "code__code"),
    ("Modifiers", "modifiers"),
    ("Units", "units"),
    ("Description", "code__short_descriptor"),
    ("Setting", "setting"),
    ("Location", "location__name"),
    ("Role", "role"),
    ("Supervising attending", "supervising_attending"),
    ("Note", "note"),
    ("Release", "release__name"),
    ("Work RVU per unit", "work_rvu"),
    ("Raw wRVU", "raw"),
    ("Medicare-style wRVU", "medicare"),
    ("Policy wRVU", "policy"),
    ("Encounter", "encounter_id"),
]
BY_CODE_HEADERS = (
    "Code", "Modifiers", "Description", "Release", "Entries", "Units", "Raw wRVU",
    "Medicare-style wRVU", "Policy wRVU",
)  # fmt: skip


def export_rows(queryset):
    """The rows of the export, read from the database in chunks (a server-side cursor on
    PostgreSQL), so memory does not grow with the number of entries. Cells are spreadsheet-safe
    and empty text is "", not None."""
    paths = [path for _, path in COLUMNS]
    rows = queryset.order_by("date", "pk").values_list(*paths)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield safe_row("" if value is None else value for value in row)


def csv_stream(queryset):
    """The CSV as an iterator of text chunks, one chunk per few hundred rows."""
    yield "\ufeff"  # a BOM, so Excel reads the file as UTF-8
    yield from csv_lines([[header for header, _ in COLUMNS]])
    yield from _batched(csv_lines(export_rows(queryset)))


def _batched(lines, size: int = 500):
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


CASE_LOG_HEADER = ["academic_year", "code", "description", "category", "role", "entries",
                   "units", "supervising_attendings", "pgy"]  # fmt: skip


def case_log_csv_stream(rows):
    """The trainee case log (tracking.selectors.case_log_rows) as CSV lines."""
    yield from csv_lines([CASE_LOG_HEADER])
    yield from csv_lines(
        [row["academic_year"], row["code"], row["description"], row["category"], row["role"],
         row["entries"], row["units"], "; ".join(sorted(row["attendings"])),
         row["pgy"] if row["pgy"] and row["pgy"] > 0 else ""]
        for row in rows
    )  # fmt: skip


def xlsx_file(queryset, report: Report, *, title: str):
    """An XLSX workbook in a temporary file (openpyxl write-only mode: rows go to disk as they
    are written). Sheets: Entries, By code, Summary. Returns the open file, at its start."""
    workbook = Workbook(write_only=True)
    entries = _sheet(workbook, "Entries", [header for header, _ in COLUMNS])
    entries.freeze_panes = "A2"
    for row in export_rows(queryset):
        entries.append(row)
    by_code = _sheet(workbook, "By code", BY_CODE_HEADERS)
    for line in report.by_code:
        by_code.append(safe_row([line.code, line.modifiers, line.description, line.release,
                                 line.entries, line.units, line.raw, line.medicare,
                                 line.policy]))  # fmt: skip
    summary = workbook.create_sheet("Summary")
    for label, value in _summary(report, title):
        summary.append(safe_row([label, value]))
    # Closed by the FileResponse that sends it (a context manager would close it first).
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle


def _sheet(workbook, name: str, headers):
    """A write-only sheet whose first row is the bold headers."""
    sheet = workbook.create_sheet(name)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _summary(report: Report, title: str) -> list[tuple[str, object]]:
    totals = report.totals
    return [
        ("Report", title),
        ("First date", totals.first),
        ("Last date", totals.last),
        ("Entries", totals.entries),
        ("Units", totals.units),
        ("Raw wRVU", totals.raw),
        ("Medicare-style wRVU", totals.medicare),
        ("Policy wRVU", totals.policy),
        ("Generated at", timezone.localtime().replace(tzinfo=None, microsecond=0)),
        ("Data", data_line(report.releases)),
        ("Notice", CPT_NOTICE),
    ]


def data_line(releases: list[str]) -> str:
    return f"Data: CMS Physician Fee Schedule {', '.join(releases) if releases else '(none)'}"
