"""rvuedge.periods: months, quarters, weeks, fiscal years and dashboard periods, by hand."""

import datetime as dt

import pytest

from rvuedge.periods import (
    add_months,
    bucket_start,
    buckets,
    fiscal_year,
    month_end,
    nth_quarter_start,
    periods,
    quarter_of,
    quarter_start,
    quarters_between,
    week_start,
)

D = dt.date


def day(month, d, year=2026):
    return dt.date(year, month, d)


def test_periods_and_the_periods_before_them():
    found = periods(day(11, 27), fiscal_start_month=7)
    got = {p.key: (p.start, p.end, p.previous_start, p.previous_end) for p in found}

    assert got == {
        "today": (day(11, 27), day(11, 27), day(11, 26), day(11, 26)),
        "week": (day(11, 23), day(11, 27), day(11, 16), day(11, 20)),
        "month": (day(11, 1), day(11, 27), day(10, 1), day(10, 27)),
        "quarter": (day(10, 1), day(11, 27), day(7, 1), day(8, 27)),
        "year": (day(1, 1), day(11, 27), day(1, 1, 2025), day(11, 27, 2025)),
        "fiscal": (day(7, 1), day(11, 27), day(7, 1, 2025), day(11, 27, 2025)),
    }


@pytest.mark.parametrize(
    ("today", "start_month", "expected"),
    [
        (dt.date(2026, 6, 30), 7, (dt.date(2025, 7, 1), dt.date(2026, 6, 30))),
        (dt.date(2026, 7, 1), 7, (dt.date(2026, 7, 1), dt.date(2027, 6, 30))),
        (dt.date(2026, 3, 15), 1, (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
        (dt.date(2026, 9, 30), 10, (dt.date(2025, 10, 1), dt.date(2026, 9, 30))),
    ],
)
def test_fiscal_year_boundaries(today, start_month, expected):
    assert fiscal_year(today, start_month) == expected


def test_a_month_ends_on_its_last_day_when_compared():
    # March 31: the month before has no 31st, so February is compared up to its end.
    march = next(p for p in periods(dt.date(2026, 3, 31)) if p.key == "month")

    assert (march.previous_start, march.previous_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # no February 31st: its last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2026, 11, 15), 2, D(2027, 1, 15)),
        (D(2026, 1, 1), -11, D(2025, 2, 1)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("today", "quarter", "start", "end_of_month"),
    [
        (D(2026, 1, 1), 1, D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 3, 31), 1, D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), 2, D(2026, 4, 1), D(2026, 4, 30)),
        (D(2026, 8, 15), 3, D(2026, 7, 1), D(2026, 8, 31)),
        (D(2026, 12, 31), 4, D(2026, 10, 1), D(2026, 12, 31)),
        (D(2024, 2, 10), 1, D(2024, 1, 1), D(2024, 2, 29)),
    ],
)
def test_quarters_and_month_ends(today, quarter, start, end_of_month):
    assert (quarter_of(today), quarter_start(today), month_end(today)) == (
        quarter,
        start,
        end_of_month,
    )
    assert nth_quarter_start(today.year, quarter) == start


@pytest.mark.parametrize(
    ("earlier", "later", "quarters"),
    [
        (D(2026, 1, 1), D(2026, 3, 31), 0),
        (D(2026, 4, 1), D(2026, 7, 1), 1),
        (D(2025, 10, 1), D(2026, 7, 1), 3),
        (D(2026, 7, 1), D(2026, 1, 1), -2),
    ],
)
def test_quarters_between(earlier, later, quarters):
    assert quarters_between(earlier, later) == quarters


def test_buckets_start_on_the_first_day_of_their_day_week_or_month():
    assert week_start(D(2026, 11, 29)) == D(2026, 11, 23)  # Sunday -> Monday before
    assert bucket_start(D(2026, 11, 29), "month") == D(2026, 11, 1)
    assert list(buckets(D(2026, 11, 27), D(2027, 1, 2), "month")) == [
        D(2026, 11, 1),
        D(2026, 12, 1),
        D(2027, 1, 1),
    ]
    assert list(buckets(D(2026, 11, 27), D(2026, 12, 7), "week")) == [
        D(2026, 11, 23),
        D(2026, 11, 30),
        D(2026, 12, 7),
    ]
    assert list(buckets(D(2026, 12, 30), D(2027, 1, 1), "day")) == [
        D(2026, 12, 30),
        D(2026, 12, 31),
        D(2027, 1, 1),
    ]
