"""Offers side by side as a PDF to take into a negotiation (reportlab, as tracking's report):
the volume used and how it was found, each scenario's pay under each contract, break-even
volumes, and every contract's arithmetic on the user's own volume."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from contracts import engine
from contracts.planning import Comparison
from rvuedge import rounding
from tracking.portability.exports import CPT_NOTICE

MARGIN = 0.6 * inch
STYLES = getSampleStyleSheet()
SMALL = STYLES["BodyText"].clone("contracts_small", fontSize=8, leading=10)
NOTICE = (
    "An estimate from your own log and the terms you entered; not legal, tax or financial "
    "advice. Check every figure against the contract itself."
)
TABLE_STYLE = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8f9fa")]),
    ]
)


def comparison_pdf(comparison: Comparison, *, user, generated_at: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=0.9 * inch,
        title="Contract comparison",
        author="RVU Edge",
        subject=f"Contracts and offers compared for {user.email}",
    )
    who = user.get_full_name() or user.email
    figure = engine.FIGURE_LABELS[comparison.figure]
    story = [
        Paragraph("Contracts and offers compared", STYLES["Title"]),
        Paragraph(_escape(f"{who} · {generated_at:%Y-%m-%d %H:%M %Z}"), STYLES["Heading3"]),
        Paragraph(_escape(f"Volume ({figure} wRVU): {comparison.basis}."), SMALL),
        Spacer(1, 8),
        _scenario_table(comparison, doc.width),
        Spacer(1, 10),
        Paragraph("Break-even volumes", STYLES["Heading2"]),
        *[Paragraph(_escape(line), SMALL) for line in comparison.break_even_lines],
        Paragraph("Each contract on your volume, step by step", STYLES["Heading2"]),
    ]
    for pay in comparison.scenarios[0].pays:
        story.append(Paragraph(_escape(pay.terms.name), STYLES["Heading3"]))
        story += [Paragraph(_escape(f"{n}. {step}"), SMALL) for n, step in enumerate(pay.steps, 1)]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _scenario_table(comparison: Comparison, width: float) -> Table:
    names = [Paragraph(f"<b>{_escape(t.name)}</b>", SMALL) for t in comparison.terms]
    rows = [["Scenario", "wRVU a year", *names]]
    for item, wrvu in comparison.rows:
        rows.append(
            [
                Paragraph(_escape(item.label), SMALL),
                rounding.fixed(wrvu, 2, grouped=True),
                *[_pay_cell(pay) for pay in item.pays],
            ]
        )
    first = 1.9 * inch
    rest = (width - first) / (len(comparison.terms) + 1)
    table = Table(rows, colWidths=[first] + [rest] * (len(comparison.terms) + 1), repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _pay_cell(pay: engine.Pay) -> str:
    rate = pay.effective_rate
    per = f"\n{rounding.money(rate)}/wRVU" if rate is not None else ""
    return f"{rounding.money(pay.total)}{per}"


def _footer(canvas, document):
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(MARGIN, 0.55 * inch, CPT_NOTICE)
    canvas.drawString(MARGIN, 0.42 * inch, NOTICE)
    canvas.drawRightString(letter[0] - MARGIN, 0.42 * inch, f"Page {document.page}")
    canvas.restoreState()


def _escape(text: str) -> str:
    # Paragraph reads a small XML dialect: user text must not open tags.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
