"""Benchmark tables from CSV, read and checked: pure, nothing is saved (see services).

Columns: specialty, population, statistic, annual_wrvu, survey_year, source, and optionally
specialty_key (one of RVU Edge's specialty values; otherwise matched from the specialty name).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from accounts.models import Specialty

from .models import Benchmark

REQUIRED = ("specialty", "population", "statistic", "annual_wrvu", "survey_year", "source")
STATISTICS = {value for value, _ in Benchmark.Statistic.choices}
ALIASES = {"50th": "median", "p50": "median", "average": "mean", "25th": "p25", "75th": "p75",
           "90th": "p90"}  # fmt: skip


def specialty_key(name: str) -> str:
    """The RVU Edge specialty a source's name refers to, or "" when none matches."""
    text = name.strip().lower()
    for value, label in Specialty.choices:
        if text == label.lower() or text.startswith(label.lower().split(" (")[0]):
            return value
    return ""


@dataclass
class ParsedTable:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_benchmarks(data: bytes, *, file_name: str = "benchmarks.csv") -> ParsedTable:
    """Rows ready for Benchmark(**row), or errors naming the file, line and column."""
    result = ParsedTable()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(f"{file_name}: not a UTF-8 text file.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        result.errors.append(f"{file_name}: missing column(s) {', '.join(missing)}.")
        return result
    seen = set()
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        where = f"{file_name}, line {line}"
        problems = []
        statistic = ALIASES.get(row["statistic"].lower(), row["statistic"].lower())
        if statistic not in STATISTICS:
            problems.append(f"column statistic: {row['statistic']!r} is not one of "
                            f"{', '.join(sorted(STATISTICS))}")  # fmt: skip
        try:
            annual = Decimal(row["annual_wrvu"].replace(",", ""))
            if annual <= 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"column annual_wrvu: {row['annual_wrvu']!r} is not a positive number")
            annual = None
        year = row["survey_year"]
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            problems.append(f"column survey_year: {year!r} is not a year")
        for name in ("specialty", "source"):
            if not row[name]:
                problems.append(f"column {name}: empty")
        key = row.get("specialty_key") or specialty_key(row["specialty"])
        if key and key not in Specialty.values:
            problems.append(f"column specialty_key: {key!r} is not a specialty of RVU Edge")
        identity = (row["specialty"], row["population"], statistic, year)
        if not problems and identity in seen:
            problems.append("the same specialty, population, statistic and year appear twice")
        seen.add(identity)
        if problems:
            result.errors.extend(f"{where}: {problem}." for problem in problems)
            continue
        result.rows.append(
            {
                "specialty": row["specialty"],
                "specialty_key": key,
                "population": row["population"],
                "statistic": statistic,
                "annual_wrvu": annual,
                "survey_year": int(year),
                "source": row["source"],
            }
        )
    if not result.rows and not result.errors:
        result.errors.append(f"{file_name}: no rows.")
    return result
