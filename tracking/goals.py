"""Goals, pace, pay and benchmark placement: pure functions, no ORM (periods: rvuedge.periods).

Working days are Monday to Friday minus the user's days off. A goal is spread over working days,
so a month with a holiday asks for less. Pay is marginal by tier (first 5,000 wRVU at one rate,
the rest at another), and entries at a location with its own rate are paid at that rate.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from codes.credit import ordinal
from rvuedge import periods, rounding

ZERO = Decimal(0)


def change(current: Decimal, previous: Decimal) -> Decimal | None:
    """Percentage change, None when there is nothing to compare with."""
    if not previous:
        return None
    return rounding.to_places((current - previous) / previous * 100, 1)


# Working days and goals -------------------------------------------------------------------------


def working_days(start: dt.date, end: dt.date, days_off: frozenset[dt.date] = frozenset()) -> int:
    """Weekdays from start to end inclusive, less the days off."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5 + sum(1 for i in range(rest) if (start + dt.timedelta(days=i)).weekday() < 5)
    return count - sum(1 for d in days_off if start <= d <= end and d.weekday() < 5)


@dataclass(frozen=True)
class GoalSplit:
    annual: Decimal
    per_day: Decimal
    month: Decimal
    week: Decimal
    working_days_year: int
    working_days_month: int
    working_days_week: int


def goal_split(
    annual: Decimal,
    today: dt.date,
    year: tuple[dt.date, dt.date],
    days_off: frozenset[dt.date] = frozenset(),
) -> GoalSplit:
    """The annual target spread over the year's working days: this month's and week's share."""
    year_days = working_days(*year, days_off)
    per_day = annual / year_days if year_days else ZERO
    month_start = max(periods.month_start(today), year[0])
    month_end = min(periods.month_end(today), year[1])
    week_start = max(periods.week_start(today), year[0])
    week_end = min(week_start + dt.timedelta(days=6 - week_start.weekday()), year[1])
    month_days = working_days(month_start, month_end, days_off)
    week_days = working_days(week_start, week_end, days_off)
    return GoalSplit(
        annual=annual,
        per_day=rounding.hundredths(per_day),
        month=rounding.hundredths(per_day * month_days),
        week=rounding.hundredths(per_day * week_days),
        working_days_year=year_days,
        working_days_month=month_days,
        working_days_week=week_days,
    )


# Where pace starts ------------------------------------------------------------------------------

# Fewer working days of logging than this and a pace (or a projection) says more about the
# calendar than about the work: the dashboard waits for a week of it.
MIN_TRACKED_DAYS = 5


@dataclass(frozen=True)
class Tracking:
    """What the year's figures cover: logging counted from `since`, and, when logging began
    inside the year, the wRVUs the user says they did before it (`carried`, None if not given)."""

    since: dt.date
    carried: Decimal | None = None
    year_start: dt.date | None = None

    @property
    def began_this_year(self) -> bool:
        return self.year_start is not None and self.since > self.year_start

    @property
    def counted_from(self) -> dt.date:
        """The first day the done figure accounts for: the year's start when logging covers the
        whole year or a carried-in figure covers the days before it; else the first day logged."""
        if self.began_this_year and self.carried is None:
            return self.since
        return self.year_start or self.since


def tracking_window(
    year: tuple[dt.date, dt.date],
    first_entry: dt.date | None,
    chosen: dt.date | None = None,
    carried: Decimal | None = None,
) -> Tracking:
    """The rule for where pace starts.

    Logging starts on the date the user gives (Goals & pay), else on their first entry's date;
    a start before the year is the year's start (the whole year is logged). A carried-in figure
    (wRVUs done this year before logging began) counts only when logging began inside the year,
    so last year's figure never leaks into a new year.
    """
    start = chosen or first_entry or year[0]
    since = min(max(start, year[0]), year[1])
    applies = since > year[0] and carried is not None
    return Tracking(since=since, carried=carried if applies else None, year_start=year[0])


@dataclass(frozen=True)
class Pace:
    done: Decimal
    expected: Decimal
    difference: Decimal  # done - expected; negative when behind
    projection: Decimal  # year-end total at the pace so far (for the days counted)
    working_days_elapsed: int
    working_days_year: int
    since: dt.date | None = None  # when the comparison starts later than the year
    working_days_tracked: int = 0
    annualised: Decimal = ZERO  # a whole year at the pace logged (for benchmarks)
    target: Decimal = ZERO  # the target's share for the days counted

    @property
    def settled(self) -> bool:
        """Enough days logged for a pace to mean something."""
        return self.working_days_tracked >= MIN_TRACKED_DAYS

    @property
    def on_track(self) -> bool:
        return self.difference >= 0

    @property
    def summary(self) -> str:
        if not self.settled:
            tracked = self.working_days_tracked
            return (
                f"Too early for a pace: {tracked} working day{'' if tracked == 1 else 's'} "
                f"logged; it shows after {MIN_TRACKED_DAYS}"
            )
        since = f" since {self.since:%b} {self.since.day}" if self.since else ""
        if self.on_track:
            return f"On track{since}: {rounding.fixed(self.difference, grouped=True)} wRVUs ahead"
        return f"{rounding.fixed(-self.difference, grouped=True)} wRVUs behind{since}"


def pace(
    annual: Decimal,
    done: Decimal,
    today: dt.date,
    year: tuple[dt.date, dt.date],
    days_off: frozenset[dt.date] = frozenset(),
    tracking: Tracking | None = None,
) -> Pace:
    """Where the year stands, from the day its figures start (see tracking_window).

    done: the wRVUs logged from tracking.since to today. Expected is the target's share of the
    working days counted so far; the projection adds, to what is done, the pace logged so far
    over the working days left.
    """
    tracking = tracking or Tracking(since=year[0], year_start=year[0])
    until = min(today, year[1])
    total = working_days(*year, days_off)
    counted = tracking.counted_from
    elapsed = working_days(counted, until, days_off)
    tracked = working_days(tracking.since, until, days_off)
    days_left = working_days(until + dt.timedelta(days=1), year[1], days_off)
    share = working_days(counted, year[1], days_off)
    per_day = done / tracked if tracked else ZERO
    so_far = done + (tracking.carried or ZERO)
    expected = annual * elapsed / total if total else ZERO
    projection = so_far + per_day * days_left
    return Pace(
        done=rounding.hundredths(so_far),
        expected=rounding.hundredths(expected),
        difference=rounding.hundredths(so_far - expected),
        projection=rounding.hundredths(projection),
        working_days_elapsed=elapsed,
        working_days_year=total,
        since=counted if counted > year[0] else None,
        working_days_tracked=tracked,
        annualised=rounding.hundredths(projection if counted == year[0] else per_day * total),
        target=rounding.hundredths(annual * share / total if total else ZERO),
    )


# Pay --------------------------------------------------------------------------------------------


def _whole(value: Decimal) -> str:
    """A tier threshold as its label shows it: 5,000."""
    return rounding.fixed(value, 0, grouped=True)


@dataclass(frozen=True)
class PayLine:
    label: str
    wrvu: Decimal
    rate: Decimal
    amount: Decimal


@dataclass
class Pay:
    lines: list[PayLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def wrvu(self) -> Decimal:
        return sum((line.wrvu for line in self.lines), ZERO)


def pay(
    wrvu_by_rate: Decimal,
    tiers: list[tuple[Decimal, Decimal]],
    flat_rate: Decimal | None,
    located: dict[str, tuple[Decimal, Decimal]] | None = None,
) -> Pay:
    """Pay for a year's wRVUs, with its arithmetic.

    wrvu_by_rate: wRVUs paid through the tiers (or the flat rate);
    tiers: [(starts_at, rate), ...] marginal, sorted by starts_at (first should start at 0);
    located: {location name: (wRVUs, rate)} for entries at locations with their own rate.
    """
    result = Pay()
    for name, (amount, rate) in sorted((located or {}).items()):
        if amount:
            result.lines.append(
                PayLine(f"{name} at its own rate", amount, rate, rounding.cents(amount * rate))
            )
    if tiers:
        ordered = sorted(tiers)
        for index, (start, rate) in enumerate(ordered):
            end = ordered[index + 1][0] if index + 1 < len(ordered) else None
            if wrvu_by_rate <= start:
                break
            portion = (min(wrvu_by_rate, end) if end is not None else wrvu_by_rate) - start
            label = (
                f"{_whole(start)}-{_whole(end)} wRVU"
                if end is not None
                else f"above {_whole(start)} wRVU"
            )
            result.lines.append(PayLine(label, portion, rate, rounding.cents(portion * rate)))
    elif flat_rate is not None and wrvu_by_rate:
        result.lines.append(
            PayLine("all wRVU", wrvu_by_rate, flat_rate, rounding.cents(wrvu_by_rate * flat_rate))
        )
    return result


# Benchmarks -------------------------------------------------------------------------------------

PERCENTILE_POINTS = {"p25": 25, "median": 50, "p75": 75, "p90": 90}


def percentile(value: Decimal, table: dict[str, Decimal]) -> str | None:
    """Where a value falls in a percentile table {"p25": ..., "median": ..., ...}, by linear
    interpolation between the points given; None when fewer than two points are known."""
    points = sorted((table[key], rank) for key, rank in PERCENTILE_POINTS.items() if key in table)
    if len(points) < 2:
        return None
    if value < points[0][0]:
        return f"below the {ordinal(points[0][1])} percentile"
    if value > points[-1][0]:
        return f"above the {ordinal(points[-1][1])} percentile"
    for (low, low_rank), (high, high_rank) in itertools.pairwise(points):
        if low <= value <= high:
            share = (value - low) / (high - low) if high > low else ZERO
            rank = low_rank + share * (high_rank - low_rank)
            return f"about the {ordinal(rounding.whole(rank))} percentile"
    return None
