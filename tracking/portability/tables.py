"""Reading an uploaded CSV or XLSX table within limits, so a hostile file costs seconds, not the
worker: rows, columns, cell size and (for XLSX) the uncompressed size are checked while reading,
and anything the readers choke on becomes a ValidationError that says what is wrong.

`read_table` returns (headers, rows) where rows is an iterator of (line number, cells); blank
rows are skipped and the limits are enforced as rows are read, so counting the rows of a file
with too many stops at the first row past the limit. `titled_table` does the same for rows from
any reader (an employer's PDF statement read as text lines, statements.reading) and finds a
header that sits under a title block.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

MAX_ROWS = 50_000
# Lines read, blank ones included: a sheet of millions of empty rows stops here.
MAX_LINES = 2 * MAX_ROWS
MAX_COLUMNS = 200
# An XLSX is a zip of XML: what it holds once uncompressed is what reading it costs.
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024


# What a file of each type starts with: a file named .xlsx that is not a zip is refused at once.
MAGIC = {"xlsx": b"PK\x03\x04", "pdf": b"%PDF-"}
TYPE_NAMES = {"csv": "a CSV file", "xlsx": "an XLSX workbook", "pdf": "a PDF"}


def read_upload(upload, *, types: tuple[str, ...], max_bytes: int) -> tuple[str, str, bytes]:
    """(name, type, bytes) of an uploaded file, after checking its type (by its name, and its
    first bytes where the type has a signature) and its size against `max_bytes`."""
    name = upload.name or "upload"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in types:
        listed = " or ".join(f".{t}" for t in types)
        raise ValidationError(f"Upload a {listed} file.")
    if upload.size > max_bytes:
        mb, kb = max_bytes // (1024 * 1024), max_bytes // 1024
        raise ValidationError(f"The file is larger than {f'{mb} MB' if mb else f'{kb} kB'}.")
    data = upload.read()
    if extension in MAGIC and not data.startswith(MAGIC[extension]):
        raise ValidationError(f"This is not {TYPE_NAMES[extension]}.")
    return name, extension, data


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# A header may sit under a title block (an employer's statement: its name, period, provider):
# `is_header` looks for it among this many non-blank rows, else the first row is the header.
HEADER_SEARCH_ROWS = 20


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list]]  # (line number, cells), blank rows skipped, within limits
    preamble: list[str]  # the text of the rows above the header (a title block), if any


def read_table(
    data: bytes, file_type: str, *, is_header: Callable[[list[str]], bool] | None = None
) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """(headers, rows): the first non-empty row names the columns (or the first `is_header`
    accepts); rows come with their line number in the file (header = its own line) and blank
    rows are skipped."""
    table = titled_table(raw_rows(data, file_type), is_header=is_header)
    return table.headers, table.rows


def raw_rows(data: bytes, file_type: str) -> Iterator[tuple[int, list]]:
    """Every row of a CSV or XLSX file as (line number, cells), blank ones included."""
    return _xlsx_rows(data) if file_type == "xlsx" else _csv_rows(data)


def titled_table(
    rows: Iterator[tuple[int, list]], *, is_header: Callable[[list[str]], bool] | None = None
) -> Table:
    """The table in `rows` (from any reader), read within the limits: its header is the first
    non-blank row, or the first of the first HEADER_SEARCH_ROWS that `is_header` accepts (the
    rows above it are the preamble)."""
    rows = _within_limits(rows)
    looked: list[tuple[int, list]] = []
    for number, row in rows:
        looked.append((number, row))
        if is_header is None or is_header([cell_text(v) for v in row]):
            above, header = looked[:-1], row
            break
        if len(looked) >= HEADER_SEARCH_ROWS:
            above, header, rows = [], looked[0][1], _chain(looked[1:], rows)
            break
    else:
        if not looked:
            raise ValidationError("The file is empty.")
        # No row is accepted as the header: the first one is, and the others are data.
        above, header, rows = [], looked[0][1], iter(looked[1:])
    preamble = [" ".join(cell_text(v) for v in row if cell_text(v)) for _, row in above]
    return Table(_header_names(header), rows, preamble)


def _chain(first, then):
    yield from first
    yield from then


def _header_names(header: list) -> list[str]:
    """The columns' names: blank ones are called by their position, and those past the last
    named one are dropped (a workbook read in read-only mode pads its rows to MAX_COLUMNS)."""
    while header and not cell_text(header[-1]):
        header = header[:-1]
    headers, seen = [], {}
    for i, value in enumerate(header, start=1):
        name = cell_text(value) or f"Column {i}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def table_records(
    data: bytes,
    file_type: str,
    columns: dict[str, str],
    *,
    is_header: Callable[[list[str]], bool] | None = None,
):
    """(line number, {field: cell value}) for every data row, by the mapping."""
    headers, rows = read_table(data, file_type, is_header=is_header)
    return records(headers, rows, columns)


def records(headers: list[str], rows: Iterator[tuple[int, list]], columns: dict[str, str]):
    """(line number, {field: cell value}) for each of `rows`, by the mapping (field -> header)."""
    positions = {name: headers.index(header) for name, header in columns.items() if header}
    for number, row in rows:
        yield (
            number,
            {name: (row[index] if index < len(row) else None) for name, index in positions.items()},
        )


def _within_limits(rows):
    """The non-blank rows, checked against the limits as they are read."""
    count = 0
    for number, row in rows:
        if number > MAX_LINES:
            raise ValidationError(f"The file has more than {MAX_LINES:,} lines; split it.")
        if not any(cell_text(v) for v in row):
            continue
        count += 1
        if count > MAX_ROWS + 1:  # the header is the first
            raise ValidationError(f"At most {MAX_ROWS:,} rows per file; split it.")
        if len(row) > MAX_COLUMNS and any(cell_text(v) for v in row[MAX_COLUMNS:]):
            raise ValidationError(
                f"Line {number} has more than {MAX_COLUMNS} columns; keep only the columns "
                "you want to import."
            )
        yield number, row[:MAX_COLUMNS]


def _csv_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError("This file is not a text CSV file.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_rows(data: bytes):
    text = _csv_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(
                f"Line {reader.line_num}: this CSV cannot be read ({exc})."
            ) from exc
        number += 1
        yield number, row


def _xlsx_rows(data: bytes):
    _check_xlsx_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        for number, row in enumerate(rows, start=1):
            yield number, list(row)
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl and the XML parser raise many kinds on a damaged file
        raise ValidationError("This is not a readable XLSX workbook.") from exc


def _check_xlsx_archive(data: bytes) -> None:
    """Refuse a zip that would expand past the limit, or whose XML declares a DTD (entity
    expansion), before any XML is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError("This is not a readable XLSX workbook.") from exc
    if sum(member.file_size for member in members) > MAX_XLSX_UNCOMPRESSED:
        raise ValidationError(
            f"This workbook expands to more than {MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MB; "
            "save it as CSV, or split it."
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as handle:
                if b"<!DOCTYPE" in handle.read(4096).upper():
                    raise ValidationError("This workbook declares a DTD, which is not accepted.")
