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


@dataclass(frozen=True)
class Pace:
    done: Decimal
    expected: Decimal
    difference: Decimal  # done - expected; negative when behind
    projection: Decimal  # year-end total at the pace so far
    working_days_elapsed: int
    working_days_year: int

    @property
    def on_track(self) -> bool:
        return self.difference >= 0

    @property
    def summary(self) -> str:
        if self.on_track:
            return f"On track: {rounding.fixed(self.difference, grouped=True)} wRVUs ahead"
        return f"{rounding.fixed(-self.difference, grouped=True)} wRVUs behind"


def pace(
    annual: Decimal,
    done: Decimal,
    today: dt.date,
    year: tuple[dt.date, dt.date],
    days_off: frozenset[dt.date] = frozenset(),
) -> Pace:
    """Where the year stands: expected so far from working days elapsed, and the projection."""
    total = working_days(*year, days_off)
    elapsed = working_days(year[0], min(today, year[1]), days_off)
    expected = annual * elapsed / total if total else ZERO
    projection = done * total / elapsed if elapsed else ZERO
    return Pace(
        done=rounding.hundredths(done),
        expected=rounding.hundredths(expected),
        difference=rounding.hundredths(done - expected),
        projection=rounding.hundredths(projection),
        working_days_elapsed=elapsed,
        working_days_year=total,
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
