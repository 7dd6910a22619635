"""The report of a filtered period as a PDF, to check an employer's figures against: summary
with the pay estimate and the annual target, chart, per-code table (code with its modifiers),
every entry by date; the CPT notice and the releases used in every page's footer."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rvuedge import rounding
from tracking.models import Setting
from tracking.portability.exports import CPT_NOTICE, data_line
from tracking.portability.reports import Goal, Report

CHART_HEIGHT = 190
MARGIN = 0.6 * inch
STYLES = getSampleStyleSheet()
SMALL = STYLES["BodyText"].clone("small", fontSize=8, leading=10)
BY_CODE_HEAD = ["Code", "Description", "Release", "Entries", "Units", "Raw", "Medicare", "Policy"]
BY_CODE_WIDTHS = [0.95, 1.95, 0.75, 0.6, 0.55, 0.75, 0.75, 0.75]
ENTRY_HEAD = ["Date", "Code", "Units", "Setting", "Location", "Release", "Raw", "Medicare",
              "Policy"]  # fmt: skip
ENTRY_WIDTHS = [0.8, 0.95, 0.45, 0.9, 1.25, 0.7, 0.7, 0.7, 0.7]
SETTINGS = dict(Setting.choices)
ENTRY_STYLE = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("ALIGN", (6, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8f9fa")]),
    ]
)
SUMMARY_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
BY_CODE_STYLE = TableStyle(
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


def pdf_bytes(report: Report, *, user, filters: list[str], generated_at: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    doc = document(buffer, title="wRVU report", subject=f"Work RVU report for {user.email}")
    totals = report.totals
    who = user.get_full_name() or user.email
    period = f"{totals.first:%Y-%m-%d} to {totals.last:%Y-%m-%d}" if totals.first else "no entries"
    story = [
        Paragraph("Work RVU report", STYLES["Title"]),
        Paragraph(f"{escape(who)} · {period}", STYLES["Heading3"]),
        _summary_table(report, who, period, filters, generated_at, doc.width),
        Spacer(1, 12),
        _chart(report, doc.width),
        Spacer(1, 12),
        Paragraph("By code", STYLES["Heading2"]),
        Paragraph(
            "Credited figures are as stored with each entry, from the release named in the "
            "row; a code priced by two releases has a row for each.",
            SMALL,
        ),
        _by_code_table(report),
    ]
    if report.entries:
        story += [
            Spacer(1, 12),
            Paragraph("Entries by date", STYLES["Heading2"]),
            Paragraph("Each entry with its modifiers, as stored, by date of service.", SMALL),
            _entries_table(report),
        ]
    on_page = footer(data_line(report.releases))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _summary_table(report: Report, who, period, filters, generated_at, width) -> Table:
    totals = report.totals
    summary = [
        ["User", who],
        ["Dates of service", period],
        ["Filters", "; ".join(filters) if filters else "none (all entries)"],
        ["Entries", f"{totals.entries:,}"],
        ["Units", f"{totals.units:,}"],
        ["Raw wRVU (work RVU × units)", _two(totals.raw)],
        ["Medicare-style wRVU", _two(totals.medicare)],
        ["Policy wRVU (your employer's rules)", _two(totals.policy)],
        *(_goal_rows(report.goal) if report.goal else []),
        ["Releases used", ", ".join(report.releases) or "none"],
        ["Generated at", generated_at.strftime("%Y-%m-%d %H:%M %Z")],
    ]
    table = Table(
        [[Paragraph(escape(a), SMALL), Paragraph(escape(str(b)), SMALL)] for a, b in summary],
        colWidths=[2.4 * inch, width - 2.4 * inch],
    )
    table.setStyle(SUMMARY_STYLE)
    return table


def _by_code_table(report: Report) -> Table:
    totals = report.totals
    rows = [BY_CODE_HEAD]
    for line in report.by_code:
        rows.append(
            [line.label, Paragraph(escape(line.description), SMALL), line.release,
             f"{line.entries:,}", f"{line.units:,}", _two(line.raw), _two(line.medicare),
             _two(line.policy)]
        )  # fmt: skip
    rows.append(
        ["Total", "", "", f"{totals.entries:,}", f"{totals.units:,}", _two(totals.raw),
         _two(totals.medicare), _two(totals.policy)]
    )  # fmt: skip
    table = Table(rows, colWidths=[w * inch for w in BY_CODE_WIDTHS], repeatRows=1)
    table.setStyle(BY_CODE_STYLE)
    return table


def _entries_table(report: Report) -> Table:
    rows = [ENTRY_HEAD]
    for entry in report.entries:
        rows.append(
            [f"{entry.date:%Y-%m-%d}", entry.label, f"{entry.units:,}",
             Paragraph(escape(SETTINGS.get(entry.setting, entry.setting)), SMALL),
             Paragraph(escape(entry.location), SMALL),
             entry.release, _two(entry.raw), _two(entry.medicare), _two(entry.policy)]
        )  # fmt: skip
    table = Table(rows, colWidths=[w * inch for w in ENTRY_WIDTHS], repeatRows=1)
    table.setStyle(ENTRY_STYLE)
    return table


def _goal_rows(goal: Goal) -> list[list[str]]:
    """The target and pay estimate lines of the summary (Preferences: annual target, $ per
    wRVU or tiers, and the credit that counts toward them)."""
    counted = f"{goal.figure_label} wRVU"
    if goal.target:
        target = (
            f"{_two(goal.target)} wRVU a year; these entries' {_two(goal.wrvu)} {counted} are "
            f"{rounding.fixed(goal.share_of_target, 1)}% of it"
        )
    else:
        target = "not set (Goals & pay in the tracker)"
    if goal.pay is None:
        pay = "no $ per wRVU or tiers set (Goals & pay in the tracker)"
    else:
        lines = "; ".join(
            f"{line.label}: {_two(line.wrvu)} × {rounding.money(line.rate)} = "
            f"{rounding.money(line.amount)}"
            for line in goal.pay.lines
        )
        pay = f"{rounding.money(goal.pay.total)} for {_two(goal.wrvu)} {counted}"
        pay += f" ({lines})" if lines else ""
        if goal.tiered:
            pay += ". Tiers are applied as if these were the year's first wRVUs."
    return [
        ["Counted toward goal and pay", f"{_two(goal.wrvu)} {counted}"],
        ["Annual wRVU target", target],
        ["Pay estimate", pay],
    ]


def document(buffer, *, title: str, subject: str) -> SimpleDocTemplate:
    """A letter page with the site's margins and room for the footer: every PDF the site
    writes (this report, the statements' dispute packet, the contracts' comparison)."""
    return SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=0.9 * inch,
        title=title,
        author="RVU Edge",
        subject=subject,
    )


def footer(data: str):
    """The page callback writing the CPT notice, `data` (the releases used, or a notice) and
    the page number on every page."""

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(MARGIN, 0.55 * inch, CPT_NOTICE)
        canvas.drawString(MARGIN, 0.42 * inch, data)
        canvas.drawRightString(letter[0] - MARGIN, 0.42 * inch, f"Page {document.page}")
        canvas.restoreState()

    return on_page


def _chart(report: Report, width: float) -> Drawing:
    """wRVU by week or month as grouped bars (Medicare-style and policy)."""
    drawing = Drawing(width, CHART_HEIGHT)
    series = report.series
    if not series:
        drawing.add(String(10, CHART_HEIGHT / 2, "No entries in this period.", fontSize=10))
        return drawing
    chart = _bar_chart(report, width)
    drawing.add(chart)
    drawing.add(_legend(chart))
    drawing.add(
        String(
            width - 5,
            CHART_HEIGHT - 12,
            f"wRVU by {report.granularity}",
            fontSize=9,
            textAnchor="end",
        )
    )
    return drawing


def _bar_chart(report: Report, width: float) -> VerticalBarChart:
    series = report.series
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 40
    chart.width, chart.height = width - 60, CHART_HEIGHT - 75
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
    return chart


def _legend(chart: VerticalBarChart) -> Legend:
    legend = Legend()
    legend.x, legend.y = 45, CHART_HEIGHT - 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = 8
    legend.colorNamePairs = [
        (chart.bars[0].fillColor, "Medicare-style wRVU"),
        (chart.bars[1].fillColor, "Policy wRVU"),
    ]
    return legend


def _two(value: Decimal) -> str:
    """A wRVU figure or total as stored (rounding.credit_text), as every page shows it."""
    return rounding.credit_text(value)


def escape(text: str) -> str:
    """Text for a Paragraph, which reads a small XML dialect: user text must not open tags."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
