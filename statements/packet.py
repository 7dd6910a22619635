"""The dispute packet a user sends their compensation office: the summary of a reconciled
statement and each line it credits less than the log (missing, or credited differently), with
the date, code, both figures, the rule and the release. As CSV (formula-safe cells,
rvuedge.spreadsheets) and as PDF (reportlab, as tracking's report)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from rvuedge.rounding import credit_text
from rvuedge.spreadsheets import csv_lines
from statements.explain import RULE_LABELS
from statements.models import Statement, StatementLine
from tracking.portability.exports import data_line
from tracking.portability.pdf import SMALL, STYLES, document, escape, footer

ZERO = Decimal(0)
LINE_HEAD = [
    "Date of service", "Date in your log", "Code", "Modifiers", "Units", "Status",
    "Your log wRVU (your policy)", "Your log wRVU (Medicare-style)", "Statement wRVU",
    "Owed wRVU", "Rule", "Reason", "Release", "Statement rows",
]  # fmt: skip


def disputed(statement: Statement) -> list[StatementLine]:
    """The lines to dispute: missing from the statement, or credited less than the log (under
    the user's policy), by date."""
    return list(statement.lines.filter(owed_wrvu__gt=0).order_by("date", "position"))


def wrvu(value: Decimal | None) -> str:
    return "" if value is None else credit_text(value, grouped=False)


def summary(statement: Statement, lines: list[StatementLine]) -> list[tuple[str, str]]:
    counts = statement.counts
    under = sum((line.owed_wrvu for line in lines), ZERO)
    return [
        ("Statement", statement.filename),
        ("Period", statement.period_label),
        ("Matched lines", str(counts.get("matched", 0))),
        ("Credited differently", str(counts.get("differs", 0))),
        ("Missing from the statement", str(counts.get("missing_from_statement", 0))),
        ("On the statement, not in the log", str(counts.get("not_in_log", 0))),
        ("Statement wRVU", wrvu(statement.statement_wrvu)),
        ("Log wRVU (your policy)", wrvu(statement.log_wrvu)),
        ("Log wRVU (Medicare-style)", wrvu(statement.log_medicare_wrvu)),
        ("Under-credited or missing, listed below", wrvu(under)),
        ("Owed, net (your policy)", wrvu(statement.owed_wrvu)),
        ("Owed, net (Medicare-style)", wrvu(statement.owed_medicare_wrvu)),
    ]


def _cells(line: StatementLine) -> list:
    return [
        line.date.isoformat(),
        line.log_date.isoformat() if line.log_date else "",
        line.code,
        line.modifiers,
        line.units,
        line.get_status_display(),
        wrvu(line.log_wrvu),
        wrvu(line.log_medicare_wrvu),
        wrvu(line.statement_wrvu),
        wrvu(line.owed_wrvu),
        RULE_LABELS.get(line.rule, line.rule),
        line.reason,
        line.release,
        " ".join(str(n) for n in line.statement_rows),
    ]


def csv_text(statement: Statement) -> str:
    lines = disputed(statement)
    rows = [[label, value] for label, value in summary(statement, lines)]
    rows += [[], LINE_HEAD, *(_cells(line) for line in lines)]
    return "\ufeff" + "".join(csv_lines(rows))


# PDF -------------------------------------------------------------------------------------------

PDF_HEAD = ["Date", "Code", "Units", "Yours", "Theirs", "Owed", "Reason", "Release"]
PDF_WIDTHS = [0.75, 0.8, 0.45, 0.6, 0.6, 0.6, 2.6, 0.6]
LINES_STYLE = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (2, 0), (5, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8f9fa")]),
    ]
)
SUMMARY_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def pdf_bytes(statement: Statement, *, user, generated_at: dt.datetime) -> bytes:
    lines = disputed(statement)
    buffer = io.BytesIO()
    doc = document(
        buffer,
        title="wRVU statement: lines to review",
        subject=f"Reconciliation of {statement.filename} for {user.email}",
    )
    who = user.get_full_name() or user.email
    summary_rows = [
        [label, Paragraph(escape(value), SMALL)] for label, value in summary(statement, lines)
    ]
    story = [
        Paragraph("wRVU statement: lines to review", STYLES["Title"]),
        Paragraph(escape(f"{who} · {statement.period_label}"), STYLES["Heading3"]),
        Paragraph(
            escape(
                f"Prepared {generated_at:%Y-%m-%d} from the physician's own procedure log, "
                "priced with the CMS release in effect on each date of service. Each line below "
                "is missing from the statement or credited less than the log, with the rule "
                "that explains the difference."
            ),
            SMALL,
        ),
        Spacer(1, 8),
        _table(summary_rows, [2.6 * inch, doc.width - 2.6 * inch], SUMMARY_STYLE),
        Spacer(1, 12),
        Paragraph("Lines to review", STYLES["Heading2"]),
    ]
    if lines:
        story.append(_lines_table(lines))
    else:
        story.append(Paragraph("None: every logged line is credited in full.", SMALL))
    releases = sorted({name for line in lines for name in line.release.split(", ") if name})
    on_page = footer(data_line(releases))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _lines_table(lines: list[StatementLine]) -> Table:
    rows = [PDF_HEAD]
    for line in lines:
        reason = f"{RULE_LABELS.get(line.rule, line.rule)}: {line.reason}"
        if line.note:
            reason += f" {line.note}"
        rows.append(
            [
                line.date.isoformat(),
                Paragraph(escape(line.label), SMALL),
                str(line.units),
                wrvu(line.log_wrvu),
                wrvu(line.statement_wrvu) or "none",
                wrvu(line.owed_wrvu),
                Paragraph(escape(reason), SMALL),
                Paragraph(escape(line.release), SMALL),
            ]
        )
    return _table(rows, [w * inch for w in PDF_WIDTHS], LINES_STYLE, repeat=1)


def _table(rows, widths, style, repeat=0) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=repeat)
    table.setStyle(style)
    return table
