"""Reading CMS fee schedule files: no database here, only bytes in and checked rows out.

CMS changes its layouts from year to year (2026 inserted PRIC IND before ENDO BASE; the PPRRVU
header is spread over several preamble lines; cells carry trailing spaces; LOCCO drops the
leading zeros of locality numbers), so every file is read by its header names, never by column
positions. Each problem is reported as a ParseError naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

import openpyxl

from rvuedge.file_errors import FileError

from . import indicators

PPRRVU = "PPRRVU"
GPCI = "GPCI"
LOCCO = "LOCCO"
ANES = "ANES"
OPPSCAP = "OPPSCAP"
HCPCS = "HCPCS"
KINDS = (PPRRVU, GPCI, LOCCO, ANES, OPPSCAP, HCPCS)
RELEASE_KINDS = (PPRRVU, GPCI, LOCCO, ANES, OPPSCAP)  # HCPCS describes codes, not a release

# Work + PE + MP must equal the CMS totals to within this on every PPRRVU row.
TOTAL_TOLERANCE = Decimal("0.01")
HEADER_SCAN_ROWS = 40
READABLE_SUFFIXES = (".csv", ".txt", ".xlsx")
FORMAT_PREFERENCE = {".csv": 0, ".xlsx": 1, ".txt": 2}

_NAME_KINDS = (
    (PPRRVU, re.compile(r"^PPRRVU", re.I)),
    (OPPSCAP, re.compile(r"OPPSCAP", re.I)),
    (GPCI, re.compile(r"GPCI", re.I)),
    (LOCCO, re.compile(r"LOCCO", re.I)),
    (ANES, re.compile(r"^ANES", re.I)),
    (HCPCS, re.compile(r"^HCPC", re.I)),
)
_RELEASE_NAME = re.compile(r"(?:^|[^A-Z])RVU(\d{2})([A-D])(R?)(?:[^A-Z]|$)", re.I)
_PPRRVU_NAME = re.compile(r"PPRRVU(\d{4}|\d{2})[_ -]?([A-Z]{3})", re.I)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)|^(\d{2})LOCCO", re.I)
_RELEASED = re.compile(r"RELEASED\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.I)
_TITLE = re.compile(
    r"(\d{4})\s+NATIONAL PHYSICIAN FEE SCHEDULE.*?\b(JANUARY|APRIL|JULY|OCTOBER)\b", re.I
)
_DECIMAL = re.compile(r"^-?\d*\.?\d+$")
MONTH_QUARTERS = {"JAN": "A", "APR": "B", "JUL": "C", "OCT": "D"}
QUARTER_MONTHS = {"A": 1, "B": 4, "C": 7, "D": 10}
CODE_RE = re.compile(r"^[A-Z0-9]{5}$")


class ParseError(FileError):
    """A fee schedule file could not be read; str() names the file, line and column where it
    can."""


# --- Sources: zip, folder, single file, gzip --------------------------------------------------


@dataclass
class Member:
    """One file to import, already decompressed."""

    name: str  # what messages call it: "rvu25d.zip/PPRRVU2025_Oct.csv" or "GPCI2025.csv"
    file_name: str  # the CMS file name, without a .gz suffix
    data: bytes
    kind: str | None = None
    sha256: str = ""
    table: Table | None = field(default=None, repr=False)  # kept from recognise() for the parser

    def __post_init__(self):
        self.sha256 = hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self):
        return PurePosixPath(self.file_name).suffix.lower()


def name_kind(file_name: str) -> str | None:
    """The kind a CMS file name announces (PPRRVU2025_Oct.csv is a PPRRVU file), or None."""
    base = PurePosixPath(file_name).name
    for kind, pattern in _NAME_KINDS:
        if pattern.search(base):
            return kind
    return None


def _strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def _gunzip(data: bytes, name: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        problem = f"not a readable gzip file (truncated or corrupt): {exc}"
        raise ParseError(problem, file=name) from None


def read_source(source: str | Path) -> tuple[str, list[Member]]:
    """The files inside a zip, a folder or a single file, decompressed and hashed.

    Kinds come from the file names here; `recognise` checks them against the headers once the
    caller knows the file is new (so a re-import of known files stays cheap). Returns the
    source's own name (the zip or folder name often names the release: rvu26c.zip) and the
    members to import. Files this importer does not read (the PDF readme, .xls copies of
    the csv files) are left out; when a zip carries the same file as csv, xlsx and txt, the csv is
    used.
    """
    path = Path(source)
    if not path.exists():
        raise ParseError("no such file or folder", file=str(source))
    if path.is_dir():
        candidates = []
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            inner = _strip_gz(child.name)
            if inner.lower().endswith(READABLE_SUFFIXES) and name_kind(inner):
                candidates.append((child.relative_to(path).as_posix(), child.read_bytes()))
        members = [_member(f"{path.name}/{rel}", data) for rel, data in candidates]
        return path.name, _choose(members, source_name=path.name)
    member = _member(path.name, path.read_bytes())
    is_zip = member.data[:4] == b"PK\x03\x04" and member.suffix != ".xlsx"
    if member.suffix == ".zip" or is_zip:
        return PurePosixPath(member.file_name).stem, _read_zip(member.file_name, member.data)
    if not member.data.strip():
        raise ParseError("the file is empty", file=member.name)
    member.kind = name_kind(member.file_name)
    return PurePosixPath(member.file_name).stem, [member]


def _member(name: str, data: bytes) -> Member:
    file_name = _strip_gz(PurePosixPath(name).name)
    if name.lower().endswith(".gz"):
        data = _gunzip(data, name)
    member = Member(name=_strip_gz(name), file_name=file_name, data=data)
    member.kind = name_kind(file_name)
    return member


def _read_zip(zip_name: str, data: bytes) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [info for info in archive.infolist() if not info.is_dir()]
        members = []
        for info in names:
            inner = _strip_gz(PurePosixPath(info.filename).name)
            if inner.lower().endswith(READABLE_SUFFIXES) and name_kind(inner):
                members.append(_member(f"{zip_name}/{info.filename}", archive.read(info)))
            elif inner.lower().endswith(".zip"):
                # CMS has shipped zips inside the release zip; read one level down.
                for nested in _read_zip(f"{zip_name}/{info.filename}", archive.read(info)):
                    members.append(nested)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ParseError(
            f"not a readable zip archive (truncated or corrupt): {exc}", file=zip_name
        ) from None
    return _choose(members, source_name=zip_name)


def _choose(members: list[Member], *, source_name: str) -> list[Member]:
    """One member per kind (and per QP flag for PPRRVU), csv before xlsx before txt."""
    if not members:
        raise ParseError(
            "holds no CMS file this importer reads (PPRRVU, GPCI, LOCCO, ANES, OPPSCAP, HCPCS; "
            "csv, xlsx or txt)",
            file=source_name,
        )
    best: dict[tuple, Member] = {}
    for member in sorted(members, key=lambda m: (FORMAT_PREFERENCE.get(m.suffix, 9), m.name)):
        kind = name_kind(member.file_name)
        key = (kind, is_qp_name(member.file_name) if kind == PPRRVU else False)
        best.setdefault(key, member)
    return list(best.values())


# --- Rows -------------------------------------------------------------------------------------


@dataclass
class Table:
    """The rows of one file as stripped strings, with the line number of each."""

    file: str
    rows: list[tuple[int, list[str]]]
    line_word: str = "line"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    # A float from a spreadsheet cell: repr is the shortest text that reads back the same.
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def read_table(member: Member) -> Table:
    """All rows of a csv, tab-separated txt or xlsx file (read once, then kept on the member)."""
    if member.table is None:
        member.table = _read_table(member)
    return member.table


def take_table(member: Member) -> Table:
    """The rows for parsing; the member lets go of them so memory is freed after the parse."""
    table = read_table(member)
    member.table = None
    return table


def _read_table(member: Member) -> Table:
    if not member.data.strip():
        raise ParseError("the file is empty", file=member.name)
    if member.suffix == ".xlsx" or member.data[:4] == b"PK\x03\x04":
        return _read_xlsx(member)
    text = member.data.decode("latin-1")  # CMS files are latin-1
    text = text.removeprefix("ï»¿")  # a UTF-8 byte order mark read as latin-1
    first_lines = text[:4000]
    delimiter = "," if "," in first_lines else "\t" if "\t" in first_lines else None
    if delimiter is None:
        raise ParseError(
            "fixed-width text is not read; import the .csv or .xlsx copy of this file",
            file=member.name,
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise ParseError(str(exc), file=member.name, line=reader.line_num) from None
    return Table(member.name, rows)


def _read_xlsx(member: Member) -> Table:
    try:
        book = openpyxl.load_workbook(io.BytesIO(member.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ParseError(f"not a readable xlsx workbook: {exc}", file=member.name) from None
    try:
        sheet = book.worksheets[0]
        rows = [
            (number, [_cell(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    return Table(member.name, rows, line_word="row")


def _key(text: str) -> str:
    """A header name reduced to letters and digits: "CO- SURG" and "CO-SURG" both give COSURG."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c)


# --- Recognising a file by its header ---------------------------------------------------------


def _header_kind(cells: list[str]) -> str | None:
    if _filled(cells) < 3:  # a title line ("COUNTIES INCLUDED IN 2025 LOCALITIES") is no header
        return None
    keys = {_key(c) for c in cells if c}
    joined = " ".join(c.upper() for c in cells)
    if {"HCPC", "RECID"} <= keys:
        return HCPCS
    if {"HCPCS", "MOD", "PROCSTAT"} <= keys:
        return OPPSCAP
    if {"HCPCS", "MOD", "DESCRIPTION"} <= keys:
        return PPRRVU
    if "LOCALITY" in joined and "GPCI" in joined:
        return GPCI
    if "LOCALITY" in joined and "COUNTIES" in joined:
        return LOCCO
    if "CONTRACTOR" in joined and "LOCALITY" in joined and "ANES" in joined:
        return ANES
    return None


def find_header(table: Table) -> tuple[int, str] | None:
    """Index in table.rows of the header row and the kind of file it announces."""
    for index, (_, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        kind = _header_kind(cells)
        if kind:
            return index, kind
    return None


def recognise(member: Member) -> str:
    """The kind of a file, by its name and its header; a mismatch is an error."""
    by_name = name_kind(member.file_name)
    table = read_table(member)
    found = find_header(table)
    by_header = found[1] if found else None
    if by_name and by_header and by_name != by_header:
        raise ParseError(
            f"named like a {by_name} file but its header is that of a {by_header} file",
            file=member.name,
        )
    if by_header:
        return by_header
    if by_name:
        raise ParseError(
            f"no {by_name} header row in the first {HEADER_SCAN_ROWS} lines "
            f"(expected {_EXPECTED_HEADER[by_name]}); is this a {by_name} file?",
            file=member.name,
        )
    raise ParseError(
        "not a CMS file this importer knows (PPRRVU, GPCI, LOCCO, ANES, OPPSCAP, HCPCS)",
        file=member.name,
    )


_EXPECTED_HEADER = {
    PPRRVU: "HCPCS, MOD, DESCRIPTION, ...",
    OPPSCAP: "HCPCS, MOD, PROCSTAT, CARRIER, LOCALITY, ...",
    GPCI: "a LOCALITY column and GPCI columns",
    LOCCO: "LOCALITY NUMBER and COUNTIES columns",
    ANES: "CONTRACTOR, LOCALITY and the anesthesia CF",
    HCPCS: "HCPC, SEQNUM, RECID, LONG DESCRIPTION, ...",
}


# --- Columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    names: tuple[str, ...]  # header names it may carry, compared by _key
    convert: Callable[[str], object]
    required: bool = True
    default: object = None
    contains: bool = False  # match when the header contains a name (GPCI "2025 PE GPCI")
    excludes: tuple[str, ...] = ()  # ...unless it also contains one of these ("WITHOUT")

    def matches(self, header_key: str) -> bool:
        if any(_key(n) in header_key for n in self.excludes):
            return False
        keys = [_key(n) for n in self.names]
        if self.contains:
            return any(k in header_key for k in keys)
        return header_key in keys


def _text(value: str) -> str:
    return value


def _decimal(value: str) -> Decimal:
    if not _DECIMAL.match(value):
        raise ValueError(f"{value!r} is not a number" if value else "a number is required")
    return Decimal(value)


def _rvu(value: str) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    return number


def _choice(values: dict[str, str], what: str, width: int = 0) -> Callable[[str], str]:
    known = ", ".join(v or "blank" for v in values)

    def convert(value: str) -> str:
        if width and value.isdigit():
            value = value.zfill(width)
        value = value.upper()
        if value not in values:
            raise ValueError(f"unknown {what} {value!r} (known: {known})")
        return value

    return convert


def _digits(width: int) -> Callable[[str], str]:
    def convert(value: str) -> str:
        return value.zfill(width) if value.isdigit() else value.upper()

    return convert


def _na(value: str) -> bool:
    return _choice(indicators.NA_INDICATOR, "NA indicator")(value) == "NA"


def _code(value: str) -> str:
    value = value.upper()
    if not CODE_RE.match(value):
        raise ValueError(f"{value!r} is not a HCPCS code")
    return value


def _modifier(value: str) -> str:
    value = value.upper()
    if len(value) > 2:
        raise ValueError(f"{value!r} is not a modifier")
    return value


PPRRVU_COLUMNS = (
    Column("code", ("HCPCS",), _code),
    Column("modifier", ("MOD", "MODIFIER"), _modifier),
    Column("description", ("DESCRIPTION",), _text),
    Column(
        "status",
        ("STATUS CODE", "STATUS"),
        _choice(indicators.STATUS_CODES, "status code"),
    ),
    Column(
        "not_used_for_medicare_payment",
        ("NOT USED FOR MEDICARE PAYMENT",),
        lambda v: bool(v),
        required=False,
        default=False,
    ),
    Column("work_rvu", ("WORK RVU",), _rvu),
    Column("non_facility_pe_rvu", ("NON-FAC PE RVU", "NON-FACILITY PE RVU"), _rvu),
    Column("non_facility_na", ("NON-FAC NA INDICATOR", "NON-FACILITY NA INDICATOR"), _na),
    Column("facility_pe_rvu", ("FACILITY PE RVU",), _rvu),
    Column("facility_na", ("FACILITY NA INDICATOR",), _na),
    Column("mp_rvu", ("MP RVU", "MALPRACTICE RVU"), _rvu),
    Column("non_facility_total", ("NON-FACILITY TOTAL", "NON-FAC TOTAL"), _rvu),
    Column("facility_total", ("FACILITY TOTAL",), _rvu),
    Column(
        "pctc_indicator", ("PCTC IND", "PC/TC IND"), _choice(indicators.PCTC_INDICATORS, "PCTC")
    ),
    Column(
        "global_days",
        ("GLOB DAYS", "GLOBAL DAYS"),
        _choice(indicators.GLOBAL_DAYS, "global days", width=3),
    ),
    Column("pre_op", ("PRE OP",), _rvu),
    Column("intra_op", ("INTRA OP",), _rvu),
    Column("post_op", ("POST OP",), _rvu),
    Column(
        "multiple_procedure",
        ("MULT PROC",),
        _choice(indicators.MULTIPLE_PROCEDURE, "multiple procedure indicator"),
    ),
    Column(
        "bilateral_surgery",
        ("BILAT SURG",),
        _choice(indicators.BILATERAL_SURGERY, "bilateral surgery indicator"),
    ),
    Column(
        "assistant_surgery",
        ("ASST SURG",),
        _choice(indicators.ASSISTANT_SURGERY, "assistant at surgery indicator"),
    ),
    Column("co_surgery", ("CO-SURG", "CO SURG"), _choice(indicators.CO_SURGERY, "co-surgery")),
    Column(
        "team_surgery", ("TEAM SURG",), _choice(indicators.TEAM_SURGERY, "team surgery indicator")
    ),
    Column("pricing_indicator", ("PRIC IND",), _text, required=False, default=None),
    Column("endoscopic_base", ("ENDO BASE",), lambda v: v.upper()),
    Column("conversion_factor", ("CONV FACTOR", "CONVERSION FACTOR"), _rvu),
    Column(
        "physician_supervision",
        ("PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES",),
        _digits(2),
        required=False,
        default="",
    ),
    Column("calculation_flag", ("CALCULATION FLAG",), _text, required=False, default=""),
    Column(
        "diagnostic_imaging_family",
        ("DIAGNOSTIC IMAGING FAMILY INDICATOR",),
        _digits(2),
        required=False,
        default="",
    ),
    Column(
        "opps_non_facility_pe_rvu",
        ("NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
        _rvu,
        required=False,
        default=Decimal("0.00"),
    ),
    Column(
        "opps_facility_pe_rvu",
        ("FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
        _rvu,
        required=False,
        default=Decimal("0.00"),
    ),
    Column(
        "opps_mp_rvu",
        ("MP USED FOR OPPS PAYMENT AMOUNT",),
        _rvu,
        required=False,
        default=Decimal("0.00"),
    ),
)
PPRRVU_FIELDS = tuple(c.field for c in PPRRVU_COLUMNS)


def _mac(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a contractor number")
    return value.zfill(5)


def _locality_number(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a locality number")
    return value.zfill(2)


def _gpci(value: str) -> Decimal:
    number = _decimal(value)
    if number <= 0:
        raise ValueError(f"{value!r} is not a positive index")
    return number


# CY2026's first GPCI file has two work columns, "2026 PW GPCI (without 1.0 Floor)" and "(with 1.0
# Floor)"; the floored one is in force for 2026 payment. Other years (and the later 2026 files)
# have one work column, floored or not, which is the one in force.
GPCI_COLUMNS = (
    Column("mac", ("MAC", "CONTRACTOR", "CARRIER"), _mac, contains=True),
    Column("state", ("STATE",), lambda v: v.upper()),
    Column("locality_number", ("LOCALITY NUMBER", "LOCALITY", "LOCALITY NO"), _locality_number),
    Column("name", ("LOCALITY NAME",), _text),
    Column("work_gpci", ("PW GPCI", "WORK GPCI"), _gpci, contains=True, excludes=("WITHOUT",)),
    Column(
        "work_gpci_without_floor",
        ("PW GPCI WITHOUT", "WORK GPCI WITHOUT"),
        _gpci,
        required=False,
        contains=True,
    ),
    Column("pe_gpci", ("PE GPCI",), _gpci, contains=True),
    Column("mp_gpci", ("MP GPCI", "MALPRACTICE GPCI"), _gpci, contains=True),
)
LOCCO_COLUMNS = (
    Column("mac", ("MEDICARE ADMINSTRATIVE CONTRACTOR", "CONTRACTOR", "MAC"), _mac, contains=True),
    Column("locality_number", ("LOCALITY NUMBER", "LOCALITY"), _locality_number),
    Column("state", ("STATE",), _text),
    Column("fee_schedule_area", ("FEE SCHEDULE AREA",), _text),
    Column("counties", ("COUNTIES",), _text),
)
# From 2026 the ANES file has a column per conversion factor: "Qualifying APM National Anes CF
# ... of 20.599835" and "Non-Qualifying APM National Anes CF ... of 20.49754". The QP column is
# claimed first, so the non-QP one (or a year's only column) is the anesthesia CF.
ANES_COLUMNS = (
    Column("mac", ("CONTRACTOR", "MAC", "CARRIER"), _mac, contains=True),
    Column("locality_number", ("LOCALITY", "LOCALITY NUMBER"), _locality_number),
    Column("name", ("LOCALITY NAME",), _text),
    Column(
        "qp_anesthesia_conversion_factor",
        ("QUALIFYING APM", "QP ANES CF"),
        _rvu,
        required=False,
        contains=True,
        excludes=("NON-QUALIFYING", "NON-QP"),
    ),
    Column("anesthesia_conversion_factor", ("ANES CF", "CONVERSION FACTOR"), _rvu, contains=True),
)
OPPSCAP_COLUMNS = (
    Column("code", ("HCPCS",), _code),
    Column("modifier", ("MOD", "MODIFIER"), _modifier),
    Column("status", ("PROCSTAT",), _choice(indicators.STATUS_CODES, "status code")),
    Column("carrier", ("CARRIER", "MAC"), _mac),
    Column("locality_number", ("LOCALITY",), _locality_number),
    Column("facility_price", ("FACILITY PRICE",), _rvu),
    Column("non_facility_price", ("NON-FACILITY PRICE", "NON-FACILTY PRICE"), _rvu),
)


def _yyyymmdd(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYYMMDD)") from None


HCPCS_COLUMNS = (
    Column("code", ("HCPC",), lambda v: v.upper()),
    Column("record_id", ("RECID",), _text),
    Column("long_descriptor", ("LONG DESCRIPTION",), _text),
    Column("short_descriptor", ("SHORT DESCRIPTION",), _text),
    Column("added_on", ("ADD DT",), _yyyymmdd, required=False),
    Column("effective_on", ("ACT EFF DT",), _yyyymmdd, required=False),
    Column("terminated_on", ("TERM DT",), _yyyymmdd, required=False),
)


def _map_columns(
    table: Table, header_line: int, names: list[str], columns: Iterable[Column]
) -> list[tuple[int | None, Column, str]]:
    """Which position holds each column: [(index or None, column, header name)]."""
    keys = [_key(n) for n in names]
    mapping = []
    missing = []
    taken: set[int] = set()
    for column in columns:
        found = [i for i, k in enumerate(keys) if k and i not in taken and column.matches(k)]
        if len(found) > 1 and not column.contains:
            raise ParseError(
                f"the header has {len(found)} columns named {column.names[0]}",
                file=table.file,
                line=header_line,
            )
        if found:
            taken.add(found[0])
            mapping.append((found[0], column, names[found[0]]))
        elif column.required:
            missing.append(column.names[0])
        else:
            mapping.append((None, column, column.names[0]))
    if missing:
        raise ParseError(
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            file=table.file,
            line=header_line,
        )
    return mapping


def _convert_rows(
    table: Table,
    start: int,
    mapping: list[tuple[int | None, Column, str]],
    keep: Callable[[list[str]], bool],
) -> list[tuple[int, tuple]]:
    """Converted rows after the header: [(line, values in column order)]."""
    out = []
    for line, cells in table.rows[start:]:
        if not keep(cells):
            continue
        values = []
        for index, column, header in mapping:
            if index is None:
                values.append(column.default)
                continue
            raw = cells[index] if index < len(cells) else ""
            try:
                values.append(column.convert(raw))
            except ValueError as exc:
                raise ParseError(
                    str(exc), file=table.file, line=line, column=header, line_word=table.line_word
                ) from None
        out.append((line, tuple(values)))
    return out


# --- PPRRVU -----------------------------------------------------------------------------------


@dataclass
class ReleaseInfo:
    """What a file's name and preamble say about its release."""

    name: str | None = None
    year: int | None = None
    quarter: str | None = None
    revised: bool = False
    is_qp: bool = False
    released_on: dt.date | None = None

    @property
    def effective_on(self) -> dt.date | None:
        if self.year and self.quarter:
            return dt.date(self.year, QUARTER_MONTHS[self.quarter], 1)
        return None


@dataclass
class ParsedPPRRVU:
    file: str
    info: ReleaseInfo
    conversion_factor: Decimal
    has_pricing_indicator: bool
    rows: list[tuple] = field(repr=False)  # values in PPRRVU_FIELDS order
    lines: list[int] = field(repr=False)


def release_from_name(text: str) -> ReleaseInfo | None:
    """RVU26C, rvu26c-updated-06-30-2026.zip, RVU24AR -> year, quarter and revision."""
    match = _RELEASE_NAME.search(text)
    if not match:
        return None
    yy, quarter, revised = match.groups()
    info = ReleaseInfo(
        year=2000 + int(yy), quarter=quarter.upper(), revised=bool(revised), is_qp=is_qp_name(text)
    )
    info.name = f"RVU{yy}{quarter.upper()}{'R' if revised else ''}"
    return info


def is_qp_name(text: str) -> bool:
    """PPRRVU2026_Jan_QPP.csv is priced for qualifying APM participants; _nonQPP is not."""
    lowered = re.sub(r"[-_ ]", "", text.lower())
    if "nonqp" in lowered:
        return False
    return bool(re.search(r"(^|[^a-z])qpp?([^a-z]|$)", text.lower()))


def pprrvu_release_info(file_name: str, preamble: list[list[str]]) -> ReleaseInfo:
    """Year, quarter, QP flag and release date from a PPRRVU file name and its preamble."""
    info = ReleaseInfo(is_qp=is_qp_name(file_name))
    match = _PPRRVU_NAME.search(file_name)
    if match:
        year, month = match.groups()
        info.year = int(year) if len(year) == 4 else 2000 + int(year)
        info.quarter = MONTH_QUARTERS.get(month.upper()[:3])
    for cells in preamble:
        for cell in cells:
            released = _RELEASED.search(cell)
            if released:
                month, day, year = (int(x) for x in released.groups())
                info.released_on = dt.date(year, month, day)
            title = _TITLE.search(cell)
            if title:
                info.year = info.year or int(title.group(1))
                info.quarter = info.quarter or MONTH_QUARTERS[title.group(2).upper()[:3]]
    if info.year and info.quarter:
        info.name = f"RVU{info.year % 100:02d}{info.quarter}"
    return info


def _header_names(table: Table, header_index: int) -> list[str]:
    """Column names of a header spread over several lines, joined top to bottom.

    The header block is the header row and the lines straight above it that hold several
    cells; the title, copyright and RELEASED lines above hold one cell each and are preamble.
    """
    start = header_index
    while start > 0:
        cells = table.rows[start - 1][1]
        if _filled(cells) <= 1:
            break
        start -= 1
    width = max(len(cells) for _, cells in table.rows[start : header_index + 1])
    names = []
    for i in range(width):
        parts = [cells[i] for _, cells in table.rows[start : header_index + 1] if i < len(cells)]
        names.append(" ".join(p for p in parts if p))
    return names


def _data_row(cells: list[str]) -> bool:
    # Blank lines and one-cell notes after the data are not rows.
    return _filled(cells) > 1


def parse_pprrvu(member: Member) -> ParsedPPRRVU:
    """Every row of a PPRRVU file, checked: known indicators, numbers, totals, no duplicates."""
    table = take_table(member)
    found = find_header(table)
    if not found or found[1] != PPRRVU:
        raise ParseError("no PPRRVU header row found", file=member.name)
    header_index = found[0]
    header_line = table.rows[header_index][0]
    mapping = _map_columns(table, header_line, _header_names(table, header_index), PPRRVU_COLUMNS)
    converted = _convert_rows(table, header_index + 1, mapping, _data_row)
    if not converted:
        raise ParseError("the file has a header but no data rows", file=member.name)
    info = pprrvu_release_info(member.file_name, [c for _, c in table.rows[:header_index]])
    del table

    position = {f: i for i, f in enumerate(PPRRVU_FIELDS)}
    headers = {column.field: header for _, column, header in mapping}
    code_i, mod_i = position["code"], position["modifier"]
    work_i, mp_i = position["work_rvu"], position["mp_rvu"]
    checks = (
        ("non_facility_total", position["non_facility_pe_rvu"]),
        ("facility_total", position["facility_pe_rvu"]),
    )
    seen: dict[tuple[str, str], int] = {}
    factors: Counter = Counter()
    for line, values in converted:
        key = (values[code_i], values[mod_i])
        if key in seen:
            raise ParseError(
                f"{'-'.join(k for k in key if k)} appears twice (first on line {seen[key]})",
                file=member.name,
                line=line,
                column=headers["code"],
            )
        seen[key] = line
        for total_field, pe_i in checks:
            expected = values[work_i] + values[pe_i] + values[mp_i]
            total = values[position[total_field]]
            if abs(expected - total) > TOTAL_TOLERANCE:
                raise ParseError(
                    f"total {total} is not work + PE + MP ({expected})",
                    file=member.name,
                    line=line,
                    column=headers[total_field],
                )
        factors[values[position["conversion_factor"]]] += 1
    return ParsedPPRRVU(
        file=member.name,
        info=info,
        conversion_factor=factors.most_common(1)[0][0],
        has_pricing_indicator=any(
            c.field == "pricing_indicator" and i is not None for i, c, _ in mapping
        ),
        rows=[values for _, values in converted],
        lines=[line for line, _ in converted],
    )


# --- Localities, anesthesia, OPPS caps, HCPCS -------------------------------------------------


@dataclass
class ParsedTable:
    file: str
    fields: tuple[str, ...]
    rows: list[tuple]
    lines: list[int]
    extra: dict = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # field -> header name in the file

    def dicts(self) -> list[dict]:
        return [dict(zip(self.fields, row, strict=True)) for row in self.rows]


def _parse_simple(member: Member, kind: str, columns, keep) -> tuple[ParsedTable, list[str]]:
    table = take_table(member)
    found = find_header(table)
    if not found or found[1] != kind:
        raise ParseError(f"no {kind} header row found", file=member.name)
    header_index = found[0]
    names = table.rows[header_index][1]
    mapping = _map_columns(table, table.rows[header_index][0], names, columns)
    converted = _convert_rows(table, header_index + 1, mapping, keep)
    if not converted:
        raise ParseError("the file has a header but no data rows", file=member.name)
    parsed = ParsedTable(
        file=member.name,
        fields=tuple(c.field for _, c, _ in mapping),
        rows=[values for _, values in converted],
        lines=[line for line, _ in converted],
        headers={c.field: header for index, c, header in mapping if index is not None},
    )
    return parsed, names


def _first_is_number(cells: list[str]) -> bool:
    # Locality files end with notes ("MAC Assignments as of ...", "* Work GPCI reflects ...").
    return _filled(cells) > 1 and bool(cells) and cells[0][:1].isdigit()


def _check_unique(parsed: ParsedTable, key_fields: tuple[str, ...], what: str) -> None:
    index = [parsed.fields.index(f) for f in key_fields]
    seen: dict[tuple, int] = {}
    for line, row in zip(parsed.lines, parsed.rows, strict=True):
        key = tuple(row[i] for i in index)
        if key in seen:
            raise ParseError(
                f"{what} {'-'.join(key)} appears twice (first on line {seen[key]})",
                file=parsed.file,
                line=line,
            )
        seen[key] = line


def parse_gpci(member: Member) -> ParsedTable:
    parsed, _ = _parse_simple(member, GPCI, GPCI_COLUMNS, _first_is_number)
    _check_unique(parsed, ("mac", "locality_number"), "locality")
    return parsed


def parse_locco(member: Member) -> ParsedTable:
    """Counties per locality; the state is written once per state, so it is carried down."""
    parsed, _ = _parse_simple(member, LOCCO, LOCCO_COLUMNS, _first_is_number)
    state_i = parsed.fields.index("state")
    state = ""
    rows = []
    for row in parsed.rows:
        state = row[state_i] or state
        rows.append((*row[:state_i], state, *row[state_i + 1 :]))
    parsed.rows = rows
    return parsed


def parse_anes(member: Member) -> ParsedTable:
    """Anesthesia CF per locality (and the QP one from 2026); each national CF is the number that
    ends its column's header ("... (with 2.5% Statutory increase) of 20.49754")."""
    parsed, _ = _parse_simple(member, ANES, ANES_COLUMNS, _first_is_number)
    _check_unique(parsed, ("mac", "locality_number"), "locality")
    for field_name, extra in (
        ("anesthesia_conversion_factor", "national_conversion_factor"),
        ("qp_anesthesia_conversion_factor", "qp_national_conversion_factor"),
    ):
        numbers = re.findall(r"\d+\.\d+", parsed.headers.get(field_name, ""))
        if numbers:
            parsed.extra[extra] = Decimal(numbers[-1])
    return parsed


def parse_oppscap(member: Member) -> ParsedTable:
    parsed, _ = _parse_simple(member, OPPSCAP, OPPSCAP_COLUMNS, _data_row)
    _check_unique(parsed, ("code", "modifier", "carrier", "locality_number"), "cap")
    return parsed


def parse_hcpcs(member: Member) -> ParsedTable:
    """HCPCS Level II codes (record 3) with long descriptions joined from continuation records (4).

    Modifier records (7, 8) are left out.
    """
    parsed, _ = _parse_simple(member, HCPCS, HCPCS_COLUMNS, _data_row)
    f = {name: i for i, name in enumerate(parsed.fields)}
    codes: dict[str, list] = {}
    lines: dict[str, int] = {}
    for line, row in zip(parsed.lines, parsed.rows, strict=True):
        record, code = row[f["record_id"]], row[f["code"]]
        if record == "3":
            if not CODE_RE.match(code):
                raise ParseError(f"{code!r} is not a HCPCS code", file=parsed.file, line=line)
            codes[code] = list(row)
            lines[code] = line
        elif record == "4" and code in codes:
            joined = f"{codes[code][f['long_descriptor']]} {row[f['long_descriptor']]}".strip()
            codes[code][f["long_descriptor"]] = joined
    parsed.rows = [tuple(values) for values in codes.values()]
    parsed.lines = list(lines.values())
    return parsed


PARSERS = {
    PPRRVU: parse_pprrvu,
    GPCI: parse_gpci,
    LOCCO: parse_locco,
    ANES: parse_anes,
    OPPSCAP: parse_oppscap,
    HCPCS: parse_hcpcs,
}


def year_in_name(file_name: str) -> int | None:
    """GPCI2025.csv, ANES2025.csv, 25LOCCO.csv -> 2025."""
    match = _YEAR_IN_NAME.search(PurePosixPath(file_name).name)
    if not match:
        return None
    if match.group(1):
        return int(match.group(1))
    return 2000 + int(match.group(2))
