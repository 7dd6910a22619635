"""A filtered period of the log as CSV (streamed), XLSX (written in constant memory) and PDF (a
report to check an employer's figures against).

The CSV and XLSX columns are the importer's field names, so an export imports back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal

from django.utils import timezone

from rvuedge import rounding
from tracking.portability.reports import Report

CHUNK_SIZE = 2000
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
    "Code", "Description", "Release", "Entries", "Units", "Raw wRVU", "Medicare-style wRVU",
    "Policy wRVU",
)  # fmt: skip
# Free text a spreadsheet would run as a formula if it started with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = {"location__name", "supervising_attending", "note"}


def _safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(queryset):
    """The rows of the export, read from the database in chunks (a server-side cursor on
    PostgreSQL), so memory does not grow with the number of entries."""
    paths = [path for _, path in COLUMNS]
    text_positions = [i for i, path in enumerate(paths) if path in TEXT_COLUMNS]
    rows = queryset.order_by("date", "pk").values_list(*paths)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        row = list(row)
        for i in text_positions:
            row[i] = _safe_text(row[i]) or ""
        yield row


class _Echo:
    """A file-like object whose write returns what it was given (csv.writer to a generator)."""

    def write(self, value):
        return value


def csv_stream(queryset):
    """The CSV as an iterator of text chunks, one chunk per few hundred rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so Excel reads the file as UTF-8
    yield writer.writerow([header for header, _ in COLUMNS])
    batch = []
    for row in export_rows(queryset):
        batch.append(writer.writerow(row))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def xlsx_file(queryset, report: Report, *, title: str):
    """An XLSX workbook in a temporary file (openpyxl write-only mode: rows go to disk as they
    are written). Sheets: Entries, By code, Summary. Returns the open file, at its start."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header_row(sheet, names):
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    entries = workbook.create_sheet("Entries")
    entries.freeze_panes = "A2"
    header_row(entries, [header for header, _ in COLUMNS])
    for row in export_rows(queryset):
        entries.append(row)

    by_code = workbook.create_sheet("By code")
    header_row(by_code, [*BY_CODE_HEADERS])
    for line in report.by_code:
        by_code.append(
            [
                line.code,
                line.description,
                line.release,
                line.entries,
                line.units,
                line.raw,
                line.medicare,
                line.policy,
            ]
        )

    summary = workbook.create_sheet("Summary")
    totals = report.totals
    for label, value in [
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
    ]:
        summary.append([label, value])

    # Closed by the FileResponse that sends it (a context manager would close it first).
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle


def data_line(releases: list[str]) -> str:
    return f"Data: CMS Physician Fee Schedule {', '.join(releases) if releases else '(none)'}"


def _two(value: Decimal) -> str:
    return rounding.fixed(value, 2, grouped=True)


def _chart(report: Report, width: float):
    """wRVU by week or month as grouped bars (Medicare-style and policy)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    height = 190
    drawing = Drawing(width, height)
    series = report.series
    if not series:
        drawing.add(String(10, height / 2, "No entries in this period.", fontSize=10))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 40
    chart.width, chart.height = width - 60, height - 75
    # reportlab cannot do arithmetic on Decimals: the bars are whole hundredths of a wRVU
    # (exact for the 2-place figures drawn), and the axis labels divide them back.
    chart.data = [
        [int(rounding.cents(row.medicare) * 100) for row in series],
        [int(rounding.cents(row.policy) * 100) for row in series],
    ]
    label = "%Y-%m-%d" if report.granularity == "week" else "%b %Y"
    step = max(1, len(series) // 14)  # keep the axis labels readable
    chart.categoryAxis.categoryNames = [
        row.start.strftime(label) if i % step == 0 else "" for i, row in enumerate(series)
    ]
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda hundredths: f"{hundredths / 100:g}"
    chart.bars[0].fillColor = colors.HexColor("#0d6efd")
    chart.bars[1].fillColor = colors.HexColor("#20c997")
    chart.barSpacing = 0.5
    chart.groupSpacing = 3
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 45, height - 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = 8
    legend.colorNamePairs = [
        (chart.bars[0].fillColor, "Medicare-style wRVU"),
        (chart.bars[1].fillColor, "Policy wRVU"),
    ]
    drawing.add(legend)
    drawing.add(
        String(
            width - 5,
            height - 12,
            f"wRVU by {report.granularity}",
            fontSize=9,
            textAnchor="end",
        )
    )
    return drawing


def pdf_bytes(report: Report, *, user, filters: list[str], generated_at: dt.datetime) -> bytes:
    """The report as a PDF: summary, chart, per-code table; the CPT notice and the releases used
    in every page's footer."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    margin = 0.6 * inch
    doc = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=0.9 * inch,
        title="wRVU report",
        author="RVU Edge",
        subject=f"Work RVU report for {user.email}",
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    totals = report.totals
    who = user.get_full_name() or user.email
    period = f"{totals.first:%Y-%m-%d} to {totals.last:%Y-%m-%d}" if totals.first else "no entries"
    story = [
        Paragraph("Work RVU report", styles["Title"]),
        Paragraph(f"{_escape(who)} · {period}", styles["Heading3"]),
    ]
    summary = [
        ["User", who],
        ["Dates of service", period],
        ["Filters", "; ".join(filters) if filters else "none (all entries)"],
        ["Entries", f"{totals.entries:,}"],
        ["Units", f"{totals.units:,}"],
        ["Raw wRVU (work RVU × units)", _two(totals.raw)],
        ["Medicare-style wRVU", _two(totals.medicare)],
        ["Policy wRVU (your employer's rules)", _two(totals.policy)],
        ["Releases used", ", ".join(report.releases) or "none"],
        ["Generated at", generated_at.strftime("%Y-%m-%d %H:%M %Z")],
    ]
    table = Table(
        [[Paragraph(_escape(a), small), Paragraph(_escape(str(b)), small)] for a, b in summary],
        colWidths=[2.4 * inch, doc.width - 2.4 * inch],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 12), _chart(report, doc.width), Spacer(1, 12)]
    story.append(Paragraph("By code", styles["Heading2"]))
    story.append(
        Paragraph(
            "Credited figures are as stored with each entry, from the release named in the "
            "row; a code priced by two releases has a row for each.",
            small,
        )
    )
    head = ["Code", "Description", "Release", "Entries", "Units", "Raw", "Medicare", "Policy"]
    rows = [head]
    for line in report.by_code:
        rows.append(
            [
                line.code,
                Paragraph(_escape(line.description), small),
                line.release,
                f"{line.entries:,}",
                f"{line.units:,}",
                _two(line.raw),
                _two(line.medicare),
                _two(line.policy),
            ]
        )
    rows.append(
        [
            "Total",
            "",
            "",
            f"{totals.entries:,}",
            f"{totals.units:,}",
            _two(totals.raw),
            _two(totals.medicare),
            _two(totals.policy),
        ]
    )
    widths = [0.6, 2.3, 0.75, 0.6, 0.55, 0.75, 0.75, 0.75]
    codes = Table(rows, colWidths=[w * inch for w in widths], repeatRows=1)
    codes.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f8f9fa")]),
            ]
        )
    )
    story.append(codes)
    footer = data_line(report.releases)

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(margin, 0.55 * inch, CPT_NOTICE)
        canvas.drawString(margin, 0.42 * inch, footer)
        canvas.drawRightString(letter[0] - margin, 0.42 * inch, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _escape(text: str) -> str:
    # Paragraph reads a small XML dialect: user text must not open tags.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
