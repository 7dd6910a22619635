"""Goal splits, pace, pay tiers and percentiles, worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from tracking.goals import (
    MIN_TRACKED_DAYS,
    Tracking,
    change,
    goal_split,
    pace,
    pay,
    percentile,
    tracking_window,
    working_days,
)

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


# Where pace starts: tracking_window and pace from it --------------------------------------------

YEAR_2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))  # 261 working days; 5220 = 20 a day


@pytest.mark.parametrize(
    ("first_entry", "chosen", "carried", "since", "carried_counts", "counted_from"),
    [
        # No entries yet: the year's start.
        (None, None, None, day(1, 1), None, day(1, 1)),
        # Logging since before the year: the whole year is logged; a carried figure is last
        # year's business and counts for nothing.
        (dt.date(2025, 11, 3), None, D("900"), day(1, 1), None, day(1, 1)),
        # First entry inside the year: pace counts from it.
        (day(4, 20), None, None, day(4, 20), None, day(4, 20)),
        # The user's date wins over the first entry's, earlier or later.
        (day(4, 20), day(3, 2), None, day(3, 2), None, day(3, 2)),
        (day(4, 20), day(5, 4), None, day(5, 4), None, day(5, 4)),
        (None, day(3, 2), None, day(3, 2), None, day(3, 2)),
        # A date before the year is the year's start.
        (day(4, 20), dt.date(2025, 6, 1), D("900"), day(1, 1), None, day(1, 1)),
        # Carried in: the days before logging are accounted for, so the year counts whole.
        (day(4, 20), None, D("1480"), day(4, 20), D("1480"), day(1, 1)),
        (day(4, 20), None, D("0"), day(4, 20), D("0"), day(1, 1)),
    ],
)
def test_the_tracking_window_rule(
    first_entry, chosen, carried, since, carried_counts, counted_from
):
    window = tracking_window(YEAR_2026, first_entry, chosen, carried)

    assert (window.since, window.carried, window.counted_from) == (
        since,
        carried_counts,
        counted_from,
    )
    assert window.began_this_year == (since > YEAR_2026[0])


def test_day_one_is_too_early_for_a_pace_not_thousands_behind():
    # First entry on Monday April 20, 2026; from January 1 that day would "expect" 1,560.
    window = tracking_window(YEAR_2026, day(4, 20))

    result = pace(D("5220"), D("1.30"), day(4, 20), YEAR_2026, tracking=window)

    assert result.working_days_tracked == 1
    assert not result.settled
    assert result.expected == D("20.00")  # one working day's share, not 78
    assert result.summary == "Too early for a pace: 1 working day logged; it shows after 5"
    assert "behind" not in result.summary


@pytest.mark.parametrize(
    ("today", "done", "summary", "tracked"),
    [
        (day(4, 23), D("60"), "Too early for a pace: 4 working days logged; it shows after 5", 4),
        (day(4, 24), D("90"), "10.00 wRVUs behind since Apr 20", 5),
        (day(4, 24), D("112.5"), "On track since Apr 20: 12.50 wRVUs ahead", 5),
        (day(4, 26), D("100"), "On track since Apr 20: 0.00 wRVUs ahead", 5),  # a Sunday
    ],
)
def test_pace_counts_from_the_first_day_logged(today, done, summary, tracked):
    window = tracking_window(YEAR_2026, day(4, 20))

    result = pace(D("5220"), done, today, YEAR_2026, tracking=window)

    assert result.working_days_tracked == tracked == result.working_days_elapsed
    assert result.settled == (tracked >= MIN_TRACKED_DAYS)
    assert result.summary == summary
    assert result.since == day(4, 20)


def test_projection_and_target_share_when_tracking_began_in_april():
    window = tracking_window(YEAR_2026, day(4, 20))

    result = pace(D("5220"), D("90"), day(4, 24), YEAR_2026, tracking=window)

    # 90 in 5 working days is 18 a day; 179 working days are left after Friday April 24.
    assert result.projection == D("3312.00")  # 90 + 18 x 179
    assert result.target == D("3680.00")  # 5220 x 184 / 261: the days from April 20
    assert result.annualised == D("4698.00")  # 18 x 261, for benchmarks


def test_a_carried_in_figure_makes_the_comparison_whole_year():
    window = tracking_window(YEAR_2026, day(4, 20), carried=D("1480"))

    result = pace(D("5220"), D("90"), day(4, 24), YEAR_2026, tracking=window)

    assert result.done == D("1570.00")  # 1480 carried + 90 logged
    assert result.working_days_elapsed == 82  # January 1 to April 24
    assert result.expected == D("1640.00")
    assert result.summary == "70.00 wRVUs behind"
    assert result.since is None
    assert result.projection == D("4792.00")  # 1570 + 18 x 179
    assert result.annualised == result.projection


def test_the_whole_year_logged_is_the_old_rule():
    whole = pace(D("5220"), D("1740"), day(4, 24), YEAR_2026)
    explicit = pace(
        D("5220"), D("1740"), day(4, 24), YEAR_2026, tracking=Tracking(day(1, 1), None, day(1, 1))
    )

    assert whole == explicit
    assert whole.projection == whole.annualised == D("5538.29")  # 1740 x 261 / 82
