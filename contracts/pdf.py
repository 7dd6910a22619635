"""Offers side by side as a PDF to take into a negotiation (reportlab, as tracking's report):
the volume used and how it was found, each scenario's pay under each contract, break-even
volumes, and every contract's arithmetic on the user's own volume."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from contracts import engine
from contracts.planning import Comparison
from rvuedge import rounding
from tracking.portability.pdf import SMALL, STYLES, document, escape, footer

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
    doc = document(
        buffer,
        title="Contract comparison",
        subject=f"Contracts and offers compared for {user.email}",
    )
    who = user.get_full_name() or user.email
    figure = engine.FIGURE_LABELS[comparison.figure]
    story = [
        Paragraph("Contracts and offers compared", STYLES["Title"]),
        Paragraph(escape(f"{who} · {generated_at:%Y-%m-%d %H:%M %Z}"), STYLES["Heading3"]),
        Paragraph(escape(f"Volume ({figure} wRVU): {comparison.basis}."), SMALL),
        Spacer(1, 8),
        _scenario_table(comparison, doc.width),
        Spacer(1, 10),
        Paragraph("Break-even volumes", STYLES["Heading2"]),
        *[Paragraph(escape(line), SMALL) for line in comparison.break_even_lines],
        Paragraph("Each contract on your volume, step by step", STYLES["Heading2"]),
    ]
    for pay in comparison.scenarios[0].pays:
        story.append(Paragraph(escape(pay.terms.name), STYLES["Heading3"]))
        story += [Paragraph(escape(f"{n}. {step}"), SMALL) for n, step in enumerate(pay.steps, 1)]
    on_page = footer(NOTICE)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _scenario_table(comparison: Comparison, width: float) -> Table:
    names = [Paragraph(f"<b>{escape(t.name)}</b>", SMALL) for t in comparison.terms]
    rows = [["Scenario", "wRVU a year", *names]]
    for item, wrvu in comparison.rows:
        rows.append(
            [
                Paragraph(escape(item.label), SMALL),
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
