"""Calendar arithmetic in one place: months, quarters, weeks, fiscal years, dashboard periods.

Pure functions on datetime.date, so the fee schedule (a release's quarter), the dashboard,
goals, reports and the API all cut time the same way. Weeks start on Monday; quarters start
on January, April, July and October 1; a fiscal year starts on the first of a chosen month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)
GROUPS = ("day", "week", "month")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), on the month's last day when it has no such day."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = month_end(dt.date(year, month, 1)).day
    return dt.date(year, month, min(day.day, last))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - ONE_DAY


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def quarter_of(day: dt.date) -> int:
    """1 to 4."""
    return (day.month - 1) // 3 + 1


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def nth_quarter_start(year: int, quarter: int) -> dt.date:
    """The first day of quarter 1-4 of `year`."""
    return dt.date(year, 3 * (quarter - 1) + 1, 1)


def quarters_between(earlier: dt.date, later: dt.date) -> int:
    """Whole quarters from `earlier`'s quarter to `later`'s (negative when later is earlier)."""
    return (later.year - earlier.year) * 4 + quarter_of(later) - quarter_of(earlier)


def fiscal_year(today: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """The fiscal year holding `today` (start_month 1 = calendar year), first and last day."""
    year = today.year if today.month >= start_month else today.year - 1
    start = dt.date(year, start_month, 1)
    return start, add_months(start, 12) - ONE_DAY


# --- Academic years (July to June: residencies and case logs) -----------------------------------

ACADEMIC_YEAR_START_MONTH = 7


def academic_year_start(day: dt.date) -> int:
    """The calendar year in which `day`'s academic year began: 2025 for July 2025 to June 2026."""
    return day.year if day.month >= ACADEMIC_YEAR_START_MONTH else day.year - 1


def academic_year(day: dt.date) -> str:
    """The academic year holding `day` as people write it: 2025-26."""
    start = academic_year_start(day)
    return f"{start}-{str(start + 1)[-2:]}"


# --- Buckets: days, weeks (from Monday) or months -----------------------------------------------


def bucket_start(day: dt.date, group_by: str) -> dt.date:
    """The first day of the day, week or month holding `day`."""
    if group_by == "day":
        return day
    if group_by == "week":
        return week_start(day)
    return month_start(day)


def next_bucket(start: dt.date, group_by: str) -> dt.date:
    if group_by == "month":
        return next_month(start)
    return start + dt.timedelta(days=1 if group_by == "day" else 7)


def buckets(start: dt.date, end: dt.date, group_by: str) -> Iterator[dt.date]:
    """The first day of every day, week or month from start's to end's, in order."""
    day = bucket_start(start, group_by)
    while day <= end:
        yield day
        day = next_bucket(day, group_by)


# --- Dashboard periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.date
    end: dt.date  # inclusive
    previous_start: dt.date
    previous_end: dt.date


def periods(today: dt.date, fiscal_start_month: int = 1) -> list[Period]:
    """Today, this week (Monday first), month, quarter, year to date and fiscal year to date,
    each with the period before it cut at the same point (so the comparison is fair)."""
    week = week_start(today)
    month = month_start(today)
    quarter = quarter_start(today)
    year = dt.date(today.year, 1, 1)
    fy_start, _fy_end = fiscal_year(today, fiscal_start_month)

    def back(start, months):
        previous = add_months(start, -months)
        elapsed = today - start
        return previous, min(previous + elapsed, start - ONE_DAY)

    yesterday = today - ONE_DAY
    seven = dt.timedelta(days=7)
    return [
        Period("today", "Today", today, today, yesterday, yesterday),
        Period("week", "This week", week, today, week - seven, today - seven),
        Period("month", "This month", month, today, *back(month, 1)),
        Period("quarter", "This quarter", quarter, today, *back(quarter, 3)),
        Period("year", "Year to date", year, today, *back(year, 12)),
        Period(
            "fiscal",
            f"Fiscal year to date (from {fy_start:%b %Y})",
            fy_start,
            today,
            *back(fy_start, 12),
        ),
    ]
