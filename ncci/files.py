"""Reading CMS's NCCI edit files: bytes in, checked rows out. No database here.

Three kinds, each read by its header names (never by column positions), each problem reported
as an EditFileError naming the file, the line and the column:

- MUE, Medically Unlikely Edits for practitioner services (csv): one row a code, its units per
  day or per line and the adjudication indicator (MAI). The first record is the AMA copyright
  in one quoted multi-line cell; the header cell "HCPCS/CPT Code" spans two lines.
- AOC, add-on code edits (xlsx or csv): one row per add-on and primary code, with the edit type
  (1, 2, 3) and dates in CMS's YYYYDDD form (year and day of the year).
- PTP, procedure-to-procedure edits for practitioners (tab-separated text, four parts a quarter,
  each zipped): column 1 and column 2 codes, dates YYYYMMDD ("*" when there is none), whether a
  modifier may bypass the edit (0 not allowed, 1 allowed, 9 not applicable) and the rationale.

A source is a file, a zip (zips inside zips are opened: CMS ships the four PTP parts as zips),
a folder, or any of these gzipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import openpyxl

from rvuedge.file_errors import FileError

MUE = "mue"
AOC = "aoc"
PTP = "ptp"
KIND_LABELS = {
    MUE: "Medically Unlikely Edits",
    AOC: "Add-on code edits",
    PTP: "Procedure-to-procedure edits",
}
CODE_RE = re.compile(r"^[A-Z0-9]{4}[A-Z0-9]$")
HEADER_SCAN_ROWS = 40
MAX_MEMBERS = 20

# What a file's name says it is, and the version and first day it names.
_MUE_NAME = re.compile(r"MUE.*?Eff[_ -]?(\d{2})-(\d{2})-(\d{4})", re.I)
_AOC_NAME = re.compile(r"AOC[_ -]?V?(\d{4})Q([1-4])", re.I)
# ccipra-v322r0-f1.txt: practitioner PTP edits, version 32.2, revision 0, part 1 of 4.
_PTP_NAME = re.compile(r"ccipra[_ -]?v(\d{2})(\d)r(\d+)[_ -]?f(\d)", re.I)
# NCCI versions count years: version 30 took effect in 2024, its .0 to .3 in the four quarters.
PTP_VERSION_YEAR_OFFSET = 1994


class EditFileError(FileError):
    """An edit file could not be read; str() names the file, line and column where it can."""


@dataclass
class Member:
    """One file to read, decompressed: its name for messages and its bytes."""

    name: str
    data: bytes
    sha256: str = ""

    def __post_init__(self):
        self.sha256 = hashlib.sha256(self.data).hexdigest()

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.name).name


@dataclass(frozen=True)
class Identity:
    """What a file is: its kind, version ("2026Q2", "v32.2r0") and the first day in force."""

    kind: str
    version: str
    effective_on: dt.date
    part: int = 1  # PTP only: which of the quarter's parts


def identify(file_name: str) -> Identity | None:
    """The kind, version and first day a CMS file name announces, or None."""
    if match := _MUE_NAME.search(file_name):
        month, day, year = (int(g) for g in match.groups())
        effective = dt.date(year, month, day)
        return Identity(MUE, f"{year}Q{(month - 1) // 3 + 1}", effective)
    if match := _AOC_NAME.search(file_name):
        year, quarter = int(match.group(1)), int(match.group(2))
        return Identity(AOC, f"{year}Q{quarter}", dt.date(year, 3 * quarter - 2, 1))
    if match := _PTP_NAME.search(file_name):
        major, minor, revision, part = (int(g) for g in match.groups())
        year = PTP_VERSION_YEAR_OFFSET + major
        if not 0 <= minor <= 3:
            return None
        effective = dt.date(year, 3 * minor + 1, 1)
        return Identity(PTP, f"v{major}.{minor}r{revision}", effective, part)
    return None


# --- Sources -------------------------------------------------------------------------------------


def read_source(source: str | Path) -> list[Member]:
    """The edit files in a file, zip or folder (gzip and nested zips opened), by name."""
    path = Path(source)
    if not path.exists():
        raise EditFileError("no such file or folder", file=str(source))
    if path.is_dir():
        members = []
        for child in sorted(p for p in path.iterdir() if p.is_file()):
            members += _members(child.name, child.read_bytes())
    else:
        members = _members(path.name, path.read_bytes())
    members = [m for m in members if identify(m.file_name)]
    if not members:
        raise EditFileError(
            "holds no NCCI edit file (MUE csv, AOC xlsx or csv, or PTP text named as CMS names "
            "them, e.g. MCR_MUE_PractitionerServices_Eff_04-01-2026.csv, AOC_V2026Q2-MCR.xlsx, "
            "ccipra-v322r0-f1.txt)",
            file=path.name,
        )
    if len(members) > MAX_MEMBERS:
        raise EditFileError(
            f"holds {len(members)} edit files; at most {MAX_MEMBERS}", file=path.name
        )
    return members


def _members(name: str, data: bytes, depth: int = 0) -> list[Member]:
    if name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise EditFileError(f"not a readable gzip file: {exc}", file=name) from None
        name = name[:-3]
    if not name.lower().endswith(".zip"):
        return [Member(name, data)]
    if depth > 1:
        return []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise EditFileError("not a readable zip file", file=name) from None
    found = []
    with archive:
        for info in archive.infolist():
            base = PurePosixPath(info.filename).name
            if info.is_dir() or base.startswith((".", "__")):
                continue
            if not base.lower().endswith((".zip", ".gz")) and not identify(base):
                continue  # readmes, PDFs, other formats
            try:
                inner = archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise EditFileError(f"cannot read {base}: {exc}", file=name) from None
            found += _members(f"{name}/{base}", inner, depth + 1)
    return found


# --- Rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MueRow:
    code: str
    units: int
    mai: int
    rationale: str


@dataclass(frozen=True)
class AocRow:
    edit_type: int
    addon: str
    primary: str  # a code, or "CCCCC" where the contractor defines the primaries (type 2)
    effective_on: dt.date | None
    deleted_on: dt.date | None
    notes: str


@dataclass(frozen=True)
class PtpRow:
    column1: str
    column2: str
    effective_on: dt.date
    deleted_on: dt.date | None
    modifier: int  # 0 not allowed, 1 allowed, 9 not applicable
    rationale: str


@dataclass
class Parsed:
    identity: Identity
    rows: list = field(default_factory=list)


def _norm(text) -> str:
    return " ".join(str(text or "").split()).lower()


def _find_header(rows, wanted: dict[str, tuple[str, ...]], file: str) -> tuple[int, dict]:
    """(index of the header row, {field: column index}) among the first rows."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [_norm(c) for c in row]
        columns = {}
        for name, needles in wanted.items():
            for position, cell in enumerate(cells):
                if any(needle in cell for needle in needles):
                    columns[name] = position
                    break
        if len(columns) == len(wanted):
            return index, columns
    names = "; ".join(needles[0] for needles in wanted.values())
    raise EditFileError(f"no header row naming the columns ({names})", file=file)


def _code(value, *, file, line, column) -> str:
    code = str(value or "").strip().upper()
    if not CODE_RE.match(code):
        raise EditFileError(
            f"“{code}” is not a HCPCS/CPT code", file=file, line=line, column=column
        )
    return code


def _int(value, allowed, *, file, line, column, what) -> int:
    text = str(value or "").strip()
    head = text.split(" ", 1)[0]
    if not head.isdigit() or (allowed is not None and int(head) not in allowed):
        raise EditFileError(f"“{text}” is not a {what}", file=file, line=line, column=column)
    return int(head)


def parse(member: Member) -> Parsed:
    """The rows of one edit file; EditFileError on the first problem."""
    identity = identify(member.file_name)
    if identity is None:
        raise EditFileError("not an NCCI edit file name CMS uses", file=member.name)
    reader = {MUE: _parse_mue, AOC: _parse_aoc, PTP: _parse_ptp}[identity.kind]
    return Parsed(identity, reader(member))


def _text(member: Member) -> str:
    try:
        return member.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return member.data.decode("cp1252", errors="replace")


def _csv_rows(member: Member) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for each record of a csv file."""
    if b"\x00" in member.data:
        raise EditFileError("contains NUL bytes: not a text file", file=member.name)
    reader = csv.reader(io.StringIO(_text(member)))
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise EditFileError(f"not readable as CSV: {exc}", file=member.name, line=line) from None


MUE_COLUMNS = {
    "code": ("hcpcs/ cpt code", "hcpcs/cpt code", "hcpcs"),
    "units": ("mue values", "mue value"),
    "mai": ("adjudication indicator",),
    "rationale": ("rationale",),
}


def _parse_mue(member: Member) -> list[MueRow]:
    records = list(_csv_rows(member))
    header, columns = _find_header([row for _, row in records], MUE_COLUMNS, member.name)
    rows, seen = [], set()
    for line, cells in records[header + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        cell = dict.fromkeys(columns, "") | {
            name: cells[i] if i < len(cells) else "" for name, i in columns.items()
        }
        where = {"file": member.name, "line": line}
        code = _code(cell["code"], column=columns["code"] + 1, **where)
        if code in seen:
            raise EditFileError(f"{code} is listed twice", column=columns["code"] + 1, **where)
        seen.add(code)
        units = _int(
            cell["units"], None, column=columns["units"] + 1, what="number of units", **where
        )
        mai = _int(
            cell["mai"], {1, 2, 3}, column=columns["mai"] + 1, what="MAI (1, 2 or 3)", **where
        )
        rows.append(MueRow(code, units, mai, cell["rationale"].strip()))
    return rows


AOC_COLUMNS = {
    "type": ("aoc_edit_type", "edit type"),
    "addon": ("add-on_code", "add-on code", "addon code"),
    "primary": ("primary_code", "primary code"),
    "effective": ("aoc_edit_effdt", "effdt"),
    "deleted": ("aoc_edit_deldt",),
    "notes": ("special_instruction", "notes"),
}


def _julian(value, *, file, line, column) -> dt.date | None:
    """CMS's YYYYDDD (2018274 is the 274th day of 2018), or None when blank."""
    text = str(value or "").strip()
    if not text or text == "*":
        return None
    if not re.fullmatch(r"\d{7}", text):
        raise EditFileError(
            f"“{text}” is not a date in YYYYDDD form", file=file, line=line, column=column
        )
    year, day = int(text[:4]), int(text[4:])
    if not 1 <= day <= (366 if year % 4 == 0 else 365):
        raise EditFileError(
            f"“{text}”: no such day of the year", file=file, line=line, column=column
        )
    return dt.date(year, 1, 1) + dt.timedelta(days=day - 1)


def _sheet_rows(member: Member) -> list[list]:
    if member.file_name.lower().endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(member.data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise EditFileError(f"not a readable xlsx workbook: {exc}", file=member.name) from None
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    return [row for _, row in _csv_rows(member)]


def _parse_aoc(member: Member) -> list[AocRow]:
    table = _sheet_rows(member)
    header, columns = _find_header(table, AOC_COLUMNS, member.name)
    rows = []
    for index, cells in enumerate(table[header + 1 :], start=header + 2):
        if not any(str(c or "").strip() for c in cells):
            continue
        cell = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        where = {"file": member.name, "line": index}
        primary = str(cell["primary"] or "").strip().upper()
        if primary != "CCCCC":
            primary = _code(primary, column=columns["primary"] + 1, **where)
        rows.append(
            AocRow(
                edit_type=_int(cell["type"], {1, 2, 3}, column=columns["type"] + 1,
                               what="AOC edit type (1, 2 or 3)", **where),
                addon=_code(cell["addon"], column=columns["addon"] + 1, **where),
                primary=primary,
                effective_on=_julian(cell["effective"], column=columns["effective"] + 1, **where),
                deleted_on=_julian(cell["deleted"], column=columns["deleted"] + 1, **where),
                notes=str(cell["notes"] or "").strip(),
            )
        )  # fmt: skip
    return rows


def _ymd(text: str, *, file, line, column) -> dt.date | None:
    text = text.strip()
    if not text or text == "*":
        return None
    try:
        if not re.fullmatch(r"\d{8}", text):
            raise ValueError(text)
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise EditFileError(
            f"“{text}” is not a date in YYYYMMDD form", file=file, line=line, column=column
        ) from None


def _parse_ptp(member: Member) -> list[PtpRow]:
    """Lines whose first two cells are codes are edits; the header and notes before are not."""
    if b"\x00" in member.data:
        raise EditFileError("contains NUL bytes: not a text file", file=member.name)
    rows = []
    for line, text in enumerate(_text(member).splitlines(), start=1):
        cells = [c.strip() for c in text.split("\t")]
        if len(cells) < 6 or not (CODE_RE.match(cells[0]) and CODE_RE.match(cells[1])):
            continue
        where = {"file": member.name, "line": line}
        effective = _ymd(cells[3], column=4, **where)
        if effective is None:
            raise EditFileError("the edit has no effective date", column=4, **where)
        rows.append(
            PtpRow(
                column1=cells[0],
                column2=cells[1],
                effective_on=effective,
                deleted_on=_ymd(cells[4], column=5, **where),
                modifier=_int(cells[5], {0, 1, 9}, column=6,
                              what="modifier indicator (0, 1 or 9)", **where),
                rationale=cells[6] if len(cells) > 6 else "",
            )
        )  # fmt: skip
    if not rows:
        raise EditFileError("no edit rows (column 1 code, column 2 code, dates, modifier)",
                            file=member.name)  # fmt: skip
    return rows
