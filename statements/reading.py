"""Reading an employer's productivity statement: a CSV or XLSX table (through the procedure
import's readers and limits, tracking.portability.tables) or a PDF whose pages hold a text table,
its columns guessed as the import guesses them, and each row read into a StatementRow. Pure: no
database.

A statement lists what the employer credited: one row per line (date, code, modifiers, units,
credited wRVU) or one per code and day (a count and the day's wRVU). Its header may sit under a
title block (the statement's name, the physician, the period), which is read for the period.
Rows that are neither a line nor an error (a subtotal, a page footer) are skipped: no code and
no date of service.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from codes.modifiers import SEPARATORS
from rvuedge import rounding
from tracking.portability import imports, tables
from tracking.portability.tables import cell_text

FIELDS = OrderedDict(
    [
        ("date", "Date of service"),
        ("code", "Code (CPT/HCPCS)"),
        ("modifiers", "Modifiers"),
        ("units", "Units or count"),
        ("wrvu", "Credited wRVU"),
        ("encounter", "Encounter or patient reference"),
        ("provider", "Provider"),
        ("location", "Location"),
    ]
)
REQUIRED = ("date", "code", "wrvu")
FIELD_HELP = {
    "units": "How many of the code the row credits (a count, for a row per code and day).",
    "wrvu": "The wRVUs the row credits in total (not per unit).",
    "encounter": "Never stored or compared: RVU Edge holds no patient data. Choose it so that "
    "the column is not taken for another.",
}
# Normalised header names (letters and digits only) that name each field, best first.
SYNONYMS = {
    "date": [
        "dateofservice", "dos", "servicedate", "date", "proceduredate", "dateperformed",
        "encounterdate", "visitdate", "casedate", "surgerydate",
    ],
    "code": [
        "cpt", "cptcode", "hcpcs", "hcpcscode", "cpthcpcs", "cpthcpcscode", "code",
        "procedurecode", "billingcode", "chargecode", "procedure",
    ],
    "modifiers": ["modifiers", "modifier", "mod", "mods", "cptmodifier", "modifier1"],
    "units": [
        "units", "unit", "count", "qty", "quantity", "servicecount", "volume", "services",
        "numberofservices", "frequency", "n",
    ],
    "wrvu": [
        "creditedwrvu", "creditedwrvus", "totalwrvu", "totalwrvus", "wrvu", "wrvus",
        "workrvu", "workrvus", "wrvucredit", "creditedrvu", "creditedrvus", "credited", "credit",
        "totalrvu", "totalrvus", "rvu", "rvus", "productivity",
    ],
    "encounter": [
        *imports.SYNONYMS["encounter"], "claim", "claimnumber", "claimid", "invoice",
        "invoicenumber", "ticket", "ticketnumber",
    ],
    "provider": [
        "provider", "providername", "renderingprovider", "performingprovider", "physician",
        "clinician", "doctor", "billingprovider", "rendering",
    ],
    "location": [
        "location", "site", "facility", "facilityname", "department", "dept", "clinic",
        "hospital", "placeofservice", "pos",
    ],
}  # fmt: skip
MAX_UNITS = 9999
MAX_WRVU = Decimal("100000")
MAX_TEXT = 100
CODE = re.compile(r"^([A-Z0-9]{5})(?:$|[\s\-,/]+(.*)$)")
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
PAGE_LIMIT = 500
TEXT_LIMIT = 20 * 1024 * 1024  # characters of text a PDF's pages may hold in all


def guess_columns(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Our field -> the statement's header, as the procedure import guesses (remembered first)."""
    return imports.guess_columns(headers, remembered, fields=FIELDS, synonyms=SYNONYMS)


def is_header(cells: list[str]) -> bool:
    """A row naming at least the date and the code columns: the statement's header (a title
    block above it is not)."""
    names = [cell for cell in cells if cell]
    return len(names) >= 2 and {"date", "code"} <= set(guess_columns(names))


# Reading the file -------------------------------------------------------------------------------


def read_statement(data: bytes, file_type: str) -> tables.Table:
    """The statement's table: CSV and XLSX through tables' readers, a PDF's text page by page."""
    rows = pdf_rows(data) if file_type == "pdf" else tables.raw_rows(data, file_type)
    return tables.titled_table(rows, is_header=is_header)


def statement_records(data: bytes, file_type: str, columns: dict[str, str]):
    """(line number, {field: cell}) for every row under the header, by the mapping."""
    table = read_statement(data, file_type)
    return tables.records(table.headers, table.rows, columns)


def pdf_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The text lines of a PDF's pages as rows: a line's cells are its runs of text separated by
    two or more spaces (pypdf's layout extraction keeps the columns where they are printed).
    Under a header, each run goes to the header cell it sits under, so an empty cell stays
    empty; a header repeated on later pages is read again for that page's positions and not
    given twice."""
    reader = _pdf_reader(data)
    number, columns, header_text, read = 0, None, None, 0
    for page in reader.pages:
        try:
            text = page.extract_text(extraction_mode="layout")
        except Exception as exc:  # pypdf raises many kinds on a damaged content stream
            raise ValidationError("A page of this PDF cannot be read.") from exc
        read += len(text)
        if read > TEXT_LIMIT:
            raise ValidationError("This PDF holds too much text for a statement; split it.")
        for line in text.splitlines():
            number += 1
            runs = _runs(line)
            cells = [run for _, _, run in runs]
            if is_header(cells):
                columns = runs
                if header_text is not None and cells == header_text:
                    continue
                header_text = cells
                yield number, cells
            elif columns is not None:
                yield number, _under(runs, columns)
            else:
                yield number, cells
    if number == 0:
        raise ValidationError(
            "This PDF holds no text table (a scanned image?): export the statement as CSV or "
            "XLSX, or ask for it as a text PDF."
        )


def _pdf_reader(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError("This PDF is password-protected: save it without a password.")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise ValidationError("This is not a readable PDF.") from exc
    if pages > PAGE_LIMIT:
        raise ValidationError(f"At most {PAGE_LIMIT} pages per statement; split it.")
    return reader


def _runs(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each run of text separated by two or more spaces."""
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)]


def _under(runs: list[tuple[int, int, str]], columns: list[tuple[int, int, str]]) -> list[str]:
    """The runs of a line placed under the header cell each overlaps most (numbers printed
    right-aligned may start left of their header), else the nearest."""
    cells = [""] * len(columns)
    for run in runs:
        index = max(range(len(columns)), key=lambda i, run=run: _closeness(run, columns[i]))
        cells[index] = f"{cells[index]} {run[2]}".strip()
    return cells


def _closeness(run: tuple[int, int, str], column: tuple[int, int, str]) -> tuple[int, float]:
    overlap = min(run[1], column[1]) - max(run[0], column[0])
    distance = abs((run[0] + run[1]) / 2 - (column[0] + column[1]) / 2)
    return overlap, -distance


# The period -------------------------------------------------------------------------------------

DATE_IN_TEXT = re.compile(
    r"\b(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4})\b"
)
MONTH_IN_TEXT = re.compile(r"\b([A-Z][a-z]{2,8}) (\d{4})\b")
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}


def period_in_title(preamble: list[str]) -> tuple[dt.date, dt.date] | None:
    """The period a title block states: two dates ("10/01/2025 - 10/31/2025"), else a month
    ("October 2025"). None when it states neither."""
    text = " ".join(preamble)
    dates = []
    for found in DATE_IN_TEXT.findall(text):
        try:
            dates.append(imports.parse_date(found.replace(".", "")))
        except ValueError:
            continue
    if len(dates) >= 2:
        return min(dates), max(dates)
    for name, year in MONTH_IN_TEXT.findall(text):
        month = MONTHS.get(name.lower())
        if month:
            last = calendar.monthrange(int(year), month)[1]
            return dt.date(int(year), month, 1), dt.date(int(year), month, last)
    return None


# Rows -------------------------------------------------------------------------------------------


@dataclass
class StatementRow:
    """One row of the statement as read, with what is wrong with it."""

    line: int
    date: dt.date | None = None
    code: str = ""
    modifiers: tuple[str, ...] = ()
    units: int = 1
    wrvu: Decimal = Decimal(0)
    places: int = 2  # decimals the statement gives the figure with (2 at least)
    provider: str = ""
    location: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_row(line: int, values: dict, *, today: dt.date) -> StatementRow | None:
    """Read one row; every problem is an error naming the value. None for a row that is not a
    line (no code, and no date of service: a subtotal, a footer, a note)."""
    row = StatementRow(line)
    if any("\x00" in str(value) for value in values.values() if value is not None):
        row.errors.append("A cell holds a NUL character (a damaged or binary export).")
        return row
    code = cell_text(values.get("code"))
    if not code and not _is_date(values.get("date")):
        return None
    _check_date(row, values.get("date"), today)
    _check_code(row, code)
    row.modifiers = _modifiers(row, values.get("modifiers"), row.modifiers)
    _check_wrvu(row, values.get("wrvu"))
    _check_units(row, values.get("units"))
    for name in ("provider", "location"):
        setattr(row, name, cell_text(values.get(name))[:MAX_TEXT])
    return row


def _is_date(value) -> bool:
    try:
        imports.parse_date(value)
    except ValueError:
        return False
    return True


def _check_date(row: StatementRow, raw, today: dt.date) -> None:
    if not cell_text(raw):
        row.errors.append("The date of service is missing.")
        return
    try:
        row.date = imports.parse_date(raw)
    except ValueError:
        row.errors.append(f"“{cell_text(raw)}” is not a date (use YYYY-MM-DD or MM/DD/YYYY).")
        return
    if row.date > today:
        row.errors.append(f"{row.date:%Y-%m-%d} is in the future.")


def _check_code(row: StatementRow, text: str) -> None:
    """The code, and any modifiers written after it ("27447-50")."""
    if not text:
        row.errors.append("The code is missing.")
        return
    found = CODE.match(text.upper())
    if not found:
        row.errors.append(f"“{text[:20]}” is not a CPT or HCPCS code.")
        return
    row.code = found.group(1)
    rest = found.group(2) or ""
    if rest and all(MODIFIER.match(part) for part in SEPARATORS.split(rest.upper()) if part):
        row.modifiers = _modifiers(row, rest, ())


def _modifiers(row: StatementRow, raw, before: tuple[str, ...]) -> tuple[str, ...]:
    """Modifiers in any format ("50,LT", "LT-50", "50 LT", "50LT"); any two-character
    modifier is kept, known to RVU Edge or not (the statement is the employer's)."""
    found = list(before)
    for part in SEPARATORS.split(cell_text(raw).upper()):
        if not part:
            continue
        if len(part) % 2 or not part.isalnum():
            row.errors.append(f"“{part}” is not a modifier (two letters or digits each).")
            continue
        found += [part[i : i + 2] for i in range(0, len(part), 2) if part[i : i + 2] not in found]
    return tuple(found)


NUMBER = re.compile(r"^\(?-?[\d,]*\.?\d+\)?$")


def _check_wrvu(row: StatementRow, raw) -> None:
    """The credited wRVU; a reversal may be negative ("-1.30" or "(1.30)")."""
    if isinstance(raw, int | float | Decimal):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = cell_text(raw)
    if not text:
        row.errors.append("The credited wRVU is missing.")
        return
    if not NUMBER.match(text) or text.count("(") != text.count(")"):
        row.errors.append(f"The credited wRVU “{text[:20]}” is not a number.")
        return
    negative = text.startswith("(") or "-" in text
    digits = text.strip("()").replace(",", "").replace("-", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        row.errors.append(f"The credited wRVU “{text[:20]}” is not a number.")
        return
    if value > MAX_WRVU:
        row.errors.append(f"The credited wRVU {text[:20]} is out of range.")
        return
    exponent = value.as_tuple().exponent
    row.places = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
    row.wrvu = rounding.credit(-value if negative else value)


def _check_units(row: StatementRow, raw) -> None:
    text = cell_text(raw)
    if not text:
        return
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        row.errors.append(f"Units “{text[:20]}” must be a whole number.")
    elif not 1 <= abs(number) <= MAX_UNITS:
        row.errors.append(f"Units {int(number)} are out of range (1 to {MAX_UNITS:,}).")
    else:
        row.units = abs(int(number))  # a reversal may give its units negative


def check_rows(
    records, *, today: dt.date, on_row: Callable[[int], None] | None = None
) -> tuple[list[StatementRow], int]:
    """(rows, skipped): each record read (rows with errors included), and how many were not
    lines."""
    rows, skipped = [], 0
    for count, (number, values) in enumerate(records, start=1):
        row = check_row(number, values, today=today)
        if row is None:
            skipped += 1
        else:
            rows.append(row)
        if on_row is not None:
            on_row(count)
    return rows, skipped


def row_errors(rows: list[StatementRow]) -> list[dict]:
    """[{"row": line, "errors": [...]}] for every row with errors (the API's 400 body)."""
    return [{"row": row.line, "errors": row.errors} for row in rows if not row.ok]
