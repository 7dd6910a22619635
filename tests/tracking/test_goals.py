"""Goal splits, pace, pay tiers and percentiles, worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from tracking.goals import change, goal_split, pace, pay, percentile, working_days

D = Decimal
THANKSGIVING = dt.date(2026, 11, 26)  # a Thursday


def day(month, d, year=2026):
    return dt.date(year, month, d)


def test_working_days_skip_weekends_and_days_off():
    november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    assert working_days(*november) == 21
    assert working_days(*november, frozenset({THANKSGIVING, dt.date(2026, 11, 28)})) == 20
    assert working_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 261


def test_the_goal_is_split_by_working_days():
    split = goal_split(
        D("5220"), dt.date(2026, 11, 27), (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    )

    # 261 working days: 20.00 a day; November has 21, the week of the 23rd has 5.
    assert (split.per_day, split.month, split.week) == (D("20.00"), D("420.00"), D("100.00"))


def test_days_off_lower_the_months_share_and_raise_the_daily_one():
    split = goal_split(
        D("5200"),
        dt.date(2026, 11, 27),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        frozenset({THANKSGIVING}),
    )

    # 260 working days: 20.00 a day; November keeps 20 of them.
    assert (split.per_day, split.month, split.week) == (D("20.00"), D("400.00"), D("80.00"))


@pytest.mark.parametrize(
    ("done", "summary", "projection"),
    [
        (D("1740"), "On track: 100.00 wRVUs ahead", D("5538.29")),  # 1740 x 261 / 82
        (D("1440"), "200.00 wRVUs behind", D("4583.41")),  # 1440 x 261 / 82
    ],
)
def test_pace_and_year_end_projection(done, summary, projection):
    # 261 working days, 20.00 a day; by Friday April 24 2026, 82 have passed: 1640 expected.
    result = pace(
        D("5220"), done, dt.date(2026, 4, 24), (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    )

    assert result.working_days_elapsed == 82
    assert result.expected == D("1640.00")
    assert result.summary == summary
    assert result.projection == projection


def test_pay_is_marginal_by_tier_with_its_arithmetic():
    result = pay(D("6000"), [(D("0"), D("45")), (D("5000"), D("52"))], flat_rate=D("40"))

    assert [(line.label, line.wrvu, line.rate, line.amount) for line in result.lines] == [
        ("0-5,000 wRVU", D("5000"), D("45"), D("225000.00")),
        ("above 5,000 wRVU", D("1000"), D("52"), D("52000.00")),
    ]
    assert result.total == D("277000.00")


def test_locations_with_their_own_rate_are_paid_apart():
    result = pay(D("100"), [], flat_rate=D("50"), located={"Surgery center": (D("20"), D("60"))})

    assert [(line.label, line.amount) for line in result.lines] == [
        ("Surgery center at its own rate", D("1200.00")),
        ("all wRVU", D("5000.00")),
    ]
    assert result.total == D("6200.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("4000"), "below the 25th percentile"),
        (D("5000"), "about the 25th percentile"),
        (D("5500"), "about the 38th percentile"),  # halfway from p25 to the median: 37.5
        (D("6000"), "about the 50th percentile"),
        (D("8000"), "about the 90th percentile"),
        (D("9000"), "above the 90th percentile"),
    ],
)
def test_percentile_interpolates_between_published_points(value, expected):
    table = {"p25": D("5000"), "median": D("6000"), "p75": D("7000"), "p90": D("8000")}

    assert percentile(value, table) == expected


def test_a_single_figure_gives_no_percentile():
    assert percentile(D("5000"), {"median": D("5138")}) is None
    assert percentile(D("5000"), {"mean": D("5138")}) is None


def test_change_against_the_previous_period():
    assert change(D("110"), D("100")) == D("10.0")
    assert change(D("5"), D("0")) is None
