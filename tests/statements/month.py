"""A month of a surgeon's log (October 2025, priced with RVU25D) and the employer's statement of
it with a difference of every kind planted, written in the layouts employers send: a row per
line, a row per code and day with a count, an XLSX under a title block, a PDF text table.

EXPECTED holds, for each line of the reconciliation, its status, the rule that explains it and
what the statement owes on it (the log minus the statement, under the log's Medicare-style
figures: the user has no credit policy of their own).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal as D

from openpyxl import Workbook
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from codes.models import LocalityPreference
from codes.wrvu import LineSpec
from tracking import services

ALASKA = "02102-01"  # work GPCI 1.500 in CY2025


def day(n: int) -> dt.date:
    return dt.date(2025, 10, n)


def spec(text: str) -> LineSpec:
    code_mods, _, units = text.partition(" x")
    code, *mods = code_mods.split("-")
    return LineSpec(code, tuple(mods), int(units or 1))


# (day, setting, the encounter's lines)
ENCOUNTERS = [
    (1, "non_facility", ["99213"]),
    (6, "non_facility", ["99214"]),  # the statement dates it the 7th
    (8, "non_facility", ["99213"]),  # three patients: one row with a count of 3
    (8, "non_facility", ["99213"]),
    (8, "non_facility", ["99213"]),
    (9, "non_facility", ["99213"]),  # not on the statement
    (10, "non_facility", ["99214"]),  # credited 1.50: no known cause
    (14, "facility", ["99291", "99292 x2"]),  # one unit of 99292 credited
    (15, "facility", ["45378", "99213"]),  # the visit is in the colonoscopy's package
    (16, "facility", ["47562"]),  # credited with RVU26C's work RVU
    (17, "facility", ["27447", "20610"]),  # 20610 credited without the reduction
    (20, "facility", ["19303-50"]),  # bilateral at 100%
    (21, "facility", ["27130-80"]),  # assistant credited at 100%
    (22, "facility", ["22551-62"]),  # co-surgeon at 50%
    (23, "facility", ["27447-50"]),  # the statement drops the 50
    (24, "facility", ["44970"]),  # multiplied by Alaska's work GPCI
    (27, "facility", ["22551", "22552 x2"]),  # 22552 on two statement lines of one unit
    (28, "facility", ["47562", "99214"]),  # the visit is in 47562's package, not on the statement
]


@dataclass(frozen=True)
class Row:
    """One line of the statement: its date, code, modifiers, units and credited wRVU."""

    day: int
    code: str
    modifiers: str
    units: int
    wrvu: str


ROWS = [
    Row(1, "99213", "", 1, "1.30"),
    Row(7, "99214", "", 1, "1.92"),
    Row(8, "99213", "", 3, "3.90"),
    Row(10, "99214", "", 1, "1.50"),
    Row(13, "99214", "", 1, "1.92"),  # not in the log
    Row(14, "99291", "", 1, "4.50"),
    Row(14, "99292", "", 1, "2.25"),
    Row(15, "45378", "", 1, "3.26"),
    Row(15, "99213", "", 1, "1.30"),
    Row(16, "47562", "", 1, "10.21"),
    Row(17, "27447", "", 1, "19.60"),
    Row(17, "20610", "", 1, "0.79"),
    Row(20, "19303", "50", 1, "15.00"),
    Row(21, "27130", "80", 1, "19.60"),
    Row(22, "22551", "62", 1, "12.50"),
    Row(23, "27447", "", 1, "19.60"),
    Row(24, "44970", "", 1, "14.18"),
    Row(27, "22551", "", 1, "25.00"),
    Row(27, "22552", "", 1, "6.50"),
    Row(27, "22552", "", 1, "6.50"),
    Row(28, "47562", "", 1, "10.47"),
]

# (day, code) -> (status, rule, owed)
EXPECTED = {
    (1, "99213"): ("matched", "", D("0")),
    (7, "99214"): ("matched", "", D("0")),  # a day off
    (8, "99213"): ("matched", "", D("0")),  # merged
    (9, "99213"): ("missing_from_statement", "missing", D("1.30")),
    (10, "99214"): ("differs", "unexplained", D("0.42")),
    (13, "99214"): ("not_in_log", "not_in_log", D("0")),
    (14, "99291"): ("matched", "", D("0")),
    (14, "99292"): ("differs", "units", D("2.25")),
    (15, "45378"): ("matched", "", D("0")),
    (15, "99213"): ("differs", "global-package", D("-1.30")),
    (16, "47562"): ("differs", "release", D("0.26")),
    (17, "27447"): ("matched", "", D("0")),
    (17, "20610"): ("differs", "multiple_procedure", D("-0.395")),
    (20, "19303"): ("differs", "bilateral", D("7.50")),
    (21, "27130"): ("differs", "assistant", D("-16.464")),
    (22, "22551"): ("differs", "co_surgery", D("3.125")),
    (23, "27447"): ("differs", "modifier_dropped", D("9.80")),
    (24, "44970"): ("differs", "gpci", D("-4.73")),
    (27, "22551"): ("matched", "", D("0")),
    (27, "22552"): ("matched", "", D("0")),  # split
    (28, "47562"): ("matched", "", D("0")),
    (28, "99214"): ("missing_from_statement", "global-package", D("0")),
}


def log_month(user, release):
    """The user's October: every encounter of ENCOUNTERS logged as quick entry logs it (the
    release in effect on the date prices it), and Alaska as the user's locality."""
    for n, setting, lines in ENCOUNTERS:
        services.encounter_create(
            user=user,
            details=services.EntryDetails(date=day(n), setting=setting),
            lines=[spec(text) for text in lines],
        )
    LocalityPreference.objects.update_or_create(user=user, defaults={"locality_key": ALASKA})


HEADERS = ["Service Date", "CPT", "Modifier", "Units", "Provider", "Encounter #", "wRVU"]


def per_line_rows() -> list[list]:
    """A row per line with its credited wRVU (the dates as MM/DD/YYYY)."""
    return [
        [f"{day(r.day):%m/%d/%Y}", r.code, r.modifiers, r.units, "Dr Test", f"E{i:04}", r.wrvu]
        for i, r in enumerate(ROWS, 1)
    ]


def csv_per_line() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(per_line_rows())
    writer.writerow(["Total", "", "", "", "", "", "sum"])
    return out.getvalue().encode()


def csv_per_code_and_day() -> bytes:
    """A row per code and day: a count and the day's wRVU (no modifiers of its own: the code's
    modifiers are part of the code column, "27447-50")."""
    totals: dict[tuple, list] = defaultdict(lambda: [0, D(0)])
    for r in ROWS:
        key = (day(r.day), f"{r.code}-{r.modifiers}" if r.modifiers else r.code)
        totals[key][0] += r.units
        totals[key][1] += D(r.wrvu)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["DOS", "CPT/HCPCS", "Count", "Total wRVUs"])
    for (date, code), (count, wrvu) in totals.items():
        writer.writerow([date.isoformat(), code, count, f"{wrvu:.2f}"])
    return out.getvalue().encode()


def xlsx_with_title() -> bytes:
    """An XLSX whose header sits under a title block stating the period."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Physician productivity statement"])
    sheet.append(["Provider:", "Dr Test"])
    sheet.append(["Period:", "10/01/2025 - 10/31/2025"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in per_line_rows():
        row[0] = dt.datetime.strptime(row[0], "%m/%d/%Y")
        row[-1] = float(row[-1])
        sheet.append(row)
    sheet.append(["Total wRVU", None, None, None, None, None, 150.0])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_text_table() -> bytes:
    """The per-line statement printed as a PDF text table (the header repeated on each page)."""
    out = io.BytesIO()
    rows = [HEADERS, *[[str(cell) for cell in row] for row in per_line_rows()]]
    story = [
        Paragraph("Productivity statement, October 2025", getSampleStyleSheet()["Title"]),
        Table(rows, repeatRows=1),
    ]
    SimpleDocTemplate(out, pagesize=letter).build(story)
    return out.getvalue()
