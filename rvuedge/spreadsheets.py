"""Every CSV and XLSX file the site writes goes through here: a text cell that a spreadsheet
would run as a formula (starting with = + - @, a tab or a carriage return) is written with a
leading apostrophe, so it opens as the text that was typed (CSV/formula injection)."""

import csv
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class _Echo:
    """A file-like object whose write returns what it was given (csv.writer to a generator)."""

    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as one CSV line (CRLF), cells made safe: for streaming responses."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(safe_row(row))
