"""What a physician's own volume is worth under a contract, with the arithmetic written out.

Pure: no ORM, Decimal throughout, money rounded to the cent half up (rvuedge.rounding) once per
line a person reads; a total is the sum of its rounded lines. The rules:

- Terms are annual: base salary, threshold, tier starts, stipends and fixed bonuses are a year's.
  The productivity year is the user's fiscal year (their employer's year). A contract in force
  for part of it has those annual figures scaled by its days in force over the year's days.
- Productivity: wRVUs at a location with its own rate are paid at that rate. The others count
  toward the threshold and tiers. Tiers are marginal (each wRVU earns the rate of the tier it
  falls in), and nothing is earned below the threshold or the first tier, whichever is later.
  The tiers apply to the running total of the year, so a period earns the growth of the
  running amount.
- Reconciliation: each period (month, quarter or year) pays the draw (a year's draw over the
  periods, scaled by days for part of a period); at the period's end earnings above the draw are
  paid, and a shortfall is either clawed back at once or carried forward and taken from later
  surpluses. What is still carried at the end is shown as owed, not deducted.
- Bonuses: a percentage of the base paid, or a fixed amount a year, times the achievement.
- Break-even and planning scale the user's own mix (their wRVUs by location, in both credited
  figures) up or down, so a location's own rate keeps its share of the volume.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from rvuedge import periods, rounding
from tracking.goals import working_days

ZERO = Decimal(0)
ONE = Decimal(1)
ONE_DAY = dt.timedelta(days=1)
HUNDRED = Decimal(100)
MEDICARE, POLICY = "medicare", "policy"
FIGURE_LABELS = {MEDICARE: "Medicare-style", POLICY: "employer policy"}
PERIODS_A_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}
CLAWBACK, CARRY = "clawback", "carry"
PERCENT, FIXED = "percent", "fixed"
STIPEND_KINDS = {
    "call": "Call",
    "admin": "Administrative",
    "teaching": "Teaching",
    "other": "Other",
}
MAX_WRVU = Decimal(200000)  # the most a year's volume is searched up to (break-even, planner)

Money = Callable[[Decimal], Decimal]


def exact(value: Decimal) -> Decimal:
    """Money unrounded: break-even and the planner solve on the exact amounts."""
    return value


# --- Terms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    from_wrvu: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Bonus:
    name: str
    kind: str  # PERCENT of the base paid, or FIXED dollars a year
    value: Decimal
    achieved_percent: Decimal = HUNDRED


@dataclass(frozen=True)
class Stipend:
    kind: str  # a key of STIPEND_KINDS
    annual_amount: Decimal
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or f"{STIPEND_KINDS.get(self.kind, 'Other')} stipend"


@dataclass(frozen=True)
class LocationRate:
    location: object  # the key work at the location is recorded under (its id)
    name: str
    rate: Decimal


@dataclass(frozen=True)
class Terms:
    """A contract or an offer. Dates matter only for pay by date (None: open)."""

    name: str = "Contract"
    start: dt.date | None = None
    end: dt.date | None = None
    base_salary: Decimal = ZERO
    threshold_wrvu: Decimal = ZERO
    tiers: tuple[Tier, ...] = ()
    figure: str = POLICY
    bonuses: tuple[Bonus, ...] = ()
    stipends: tuple[Stipend, ...] = ()
    location_rates: tuple[LocationRate, ...] = ()
    reconciliation: str = "annual"
    draw: Decimal = ZERO  # a year's
    shortfall: str = CLAWBACK

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    @property
    def rates(self) -> dict[object, LocationRate]:
        return {rate.location: rate for rate in self.location_rates}


def problems(terms: Terms) -> list[tuple[str, str]]:
    """(field, message) for each term that cannot be right; forms and the API show them."""
    found = []
    if terms.start and terms.end and terms.end < terms.start:
        found.append(("end", "The end date must be on or after the start date."))
    for number, (before, tier) in enumerate(itertools.pairwise(terms.tiers), start=2):
        if tier.from_wrvu <= before.from_wrvu:
            found.append(
                (
                    "tiers",
                    f"Tiers must ascend: tier {number} starts at {_wrvu(tier.from_wrvu)} wRVU, "
                    f"not above tier {number - 1} ({_wrvu(before.from_wrvu)}).",
                )
            )
    if terms.threshold_wrvu and not terms.tiers:
        found.append(("tiers", "A threshold needs a tier: add the $ per wRVU paid above it."))
    for bonus in terms.bonuses:
        if bonus.kind == PERCENT and bonus.value > HUNDRED:
            found.append(("bonuses", f"{bonus.name}: a percent-of-base bonus is at most 100%."))
    return found


def overlapping(terms: Terms, others: Iterable[Terms]) -> list[Terms]:
    """The others in force on at least one day `terms` is."""
    first, last = terms.start or dt.date.min, terms.end or dt.date.max
    return [
        other
        for other in others
        if (other.start or dt.date.min) <= last and first <= (other.end or dt.date.max)
    ]


# --- Volume ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wrvu:
    """wRVUs under the two figures a contract may count."""

    medicare: Decimal = ZERO
    policy: Decimal = ZERO

    @classmethod
    def both(cls, value: Decimal) -> Wrvu:
        return cls(value, value)

    def of(self, figure: str) -> Decimal:
        return self.medicare if figure == MEDICARE else self.policy

    def scaled(self, factor: Decimal) -> Wrvu:
        return Wrvu(self.medicare * factor, self.policy * factor)

    def __add__(self, other: Wrvu) -> Wrvu:
        return Wrvu(self.medicare + other.medicare, self.policy + other.policy)


@dataclass(frozen=True)
class Work:
    """wRVUs done on a date, at a location (its key) or none."""

    date: dt.date
    wrvu: Wrvu
    location: object = None


@dataclass(frozen=True)
class Mix:
    """A year's wRVUs by location: the user's own, or scaled to ask "what if I did more"."""

    by_location: Mapping[object, Wrvu] = field(default_factory=dict)

    def total(self, figure: str) -> Decimal:
        return sum((w.of(figure) for w in self.by_location.values()), ZERO)

    def scaled(self, factor: Decimal) -> Mix:
        return Mix({key: w.scaled(factor) for key, w in self.by_location.items()})

    def at_total(self, wrvu: Decimal, figure: str) -> Mix:
        """The same mix scaled to `wrvu` under `figure` (all at no location when it is empty)."""
        current = self.total(figure)
        if current <= 0:
            return Mix({None: Wrvu.both(wrvu)})
        return self.scaled(wrvu / current)

    def plus(self, other: Mix) -> Mix:
        keys = list(dict.fromkeys([*self.by_location, *other.by_location]))
        return Mix(
            {k: self.by_location.get(k, Wrvu()) + other.by_location.get(k, Wrvu()) for k in keys}
        )


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """Part of a whole in days (181/365), as annual figures are scaled."""

    days: int
    of: int

    @property
    def value(self) -> Decimal:
        return Decimal(self.days) / Decimal(self.of) if self.of else ZERO

    @property
    def whole(self) -> bool:
        return self.days == self.of

    def __str__(self) -> str:
        return f"{self.days}/{self.of} days"


FULL = Share(1, 1)


@dataclass(frozen=True)
class LocationLine:
    name: str
    wrvu: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TierLine:
    low: Decimal
    high: Decimal | None
    rate: Decimal
    wrvu: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PeriodLine:
    label: str
    draw: Decimal
    earned: Decimal
    settlement: Decimal  # paid above the draw (negative: recovered)
    paid: Decimal
    carried: Decimal  # shortfall carried forward after this period


@dataclass(frozen=True)
class BonusLine:
    bonus: Bonus
    basis: Decimal  # the base paid (percent) or the year's amount as scaled (fixed)
    amount: Decimal


@dataclass(frozen=True)
class StipendLine:
    stipend: Stipend
    amount: Decimal


@dataclass(frozen=True)
class Pay:
    """One contract's pay for a year or part of one, and every step of it."""

    terms: Terms
    in_force: Share  # of the year the terms cover: scales threshold and tier starts
    accrued: Share  # of the year paid so far: scales base, stipends, fixed bonuses
    wrvu: Decimal
    threshold: Decimal
    base: Decimal
    location_lines: tuple[LocationLine, ...]
    tier_lines: tuple[TierLine, ...]
    below: Decimal  # wRVUs up to the threshold or first tier: nothing beyond base
    periods: tuple[PeriodLine, ...]
    bonuses: tuple[BonusLine, ...]
    stipend_lines: tuple[StipendLine, ...]

    @property
    def earned(self) -> Decimal:
        lines = (*self.location_lines, *self.tier_lines)
        return sum((line.amount for line in lines), ZERO)

    @property
    def productivity(self) -> Decimal:
        """Productivity paid, after reconciliation against the draw."""
        return sum((p.paid for p in self.periods), ZERO) if self.periods else self.earned

    @property
    def outstanding(self) -> Decimal:
        return self.periods[-1].carried if self.periods else ZERO

    @property
    def quality_bonus(self) -> Decimal:
        return sum((line.amount for line in self.bonuses), ZERO)

    @property
    def stipends(self) -> Decimal:
        return sum((line.amount for line in self.stipend_lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.base + self.productivity + self.quality_bonus + self.stipends

    @property
    def effective_rate(self) -> Decimal | None:
        """Total pay per wRVU counted, to the cent; None without volume."""
        return rounding.cents(self.total / self.wrvu) if self.wrvu else None

    @property
    def steps(self) -> list[str]:
        return explain(self)


# --- The arithmetic ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    label: str
    running: Mapping[object, Decimal]  # wRVUs counted since the terms' start in the year
    part: Share  # of the full period (draw scaled by days)


def _productivity(running, terms: Terms, scale: Decimal, money: Money):
    """Location lines, tier lines and the wRVUs below the threshold for a running total."""
    rates = terms.rates
    located = tuple(
        LocationLine(rates[key].name, wrvu, rates[key].rate, money(wrvu * rates[key].rate))
        for key, wrvu in sorted(running.items(), key=lambda kv: str(kv[0]))
        if key in rates and wrvu
    )
    rest = sum((wrvu for key, wrvu in running.items() if key not in rates), ZERO)
    lines = _tier_lines(rest, terms.threshold_wrvu * scale, terms.tiers, scale, money)
    return located, lines, rest - sum((line.wrvu for line in lines), ZERO)


def _tier_lines(wrvu, threshold, tiers, scale, money) -> tuple[TierLine, ...]:
    ordered = sorted(tiers, key=lambda tier: tier.from_wrvu)
    starts = [tier.from_wrvu * scale for tier in ordered]
    lines = []
    for index, tier in enumerate(ordered):
        high = starts[index + 1] if index + 1 < len(ordered) else None
        low = max(starts[index], threshold)
        if high is not None and high <= low:
            continue  # the whole tier is below the threshold
        if wrvu <= low:
            break
        portion = (wrvu if high is None else min(wrvu, high)) - low
        lines.append(TierLine(low, high, tier.rate, portion, money(portion * tier.rate)))
    return tuple(lines)


def _reconcile(label, earned, draw, carried, shortfall) -> PeriodLine:
    surplus = earned - draw
    if shortfall != CARRY:
        return PeriodLine(label, draw, earned, surplus, earned, ZERO)
    if surplus < 0:
        return PeriodLine(label, draw, earned, ZERO, draw, carried - surplus)
    offset = min(surplus, carried)
    return PeriodLine(
        label, draw, earned, surplus - offset, draw + surplus - offset, carried - offset
    )


def _evaluate(terms: Terms, volumes: Sequence[_Period], in_force: Share, accrued: Share, money):
    scale = in_force.value
    per_period = terms.draw / PERIODS_A_YEAR[terms.reconciliation]
    lines, before, carried = [], ZERO, ZERO
    located, tiered, below = (), (), ZERO
    for period in volumes:
        located, tiered, below = _productivity(period.running, terms, scale, money)
        earned = sum((line.amount for line in (*located, *tiered)), ZERO)
        draw = money(per_period * period.part.value)
        line = _reconcile(period.label, earned - before, draw, carried, terms.shortfall)
        lines.append(line)
        before, carried = earned, line.carried
    base = money(terms.base_salary * accrued.value)
    return Pay(
        terms=terms,
        in_force=in_force,
        accrued=accrued,
        wrvu=sum(volumes[-1].running.values(), ZERO) if volumes else ZERO,
        threshold=terms.threshold_wrvu * scale,
        base=base,
        location_lines=located,
        tier_lines=tiered,
        below=below,
        periods=tuple(lines),
        bonuses=tuple(_bonus(bonus, base, accrued, money) for bonus in terms.bonuses),
        stipend_lines=tuple(
            StipendLine(s, money(s.annual_amount * accrued.value)) for s in terms.stipends
        ),
    )


def _bonus(bonus: Bonus, base: Decimal, accrued: Share, money: Money) -> BonusLine:
    achieved = bonus.achieved_percent / HUNDRED
    if bonus.kind == PERCENT:
        return BonusLine(bonus, base, money(base * bonus.value / HUNDRED * achieved))
    basis = bonus.value * accrued.value
    return BonusLine(bonus, basis, money(basis * achieved))


# --- A year's volume (offers, the API, break-even, the planner) --------------------------------


def pay_for_volume(terms: Terms, mix: Mix, money: Money = rounding.cents) -> Pay:
    """A whole year under `terms` at `mix`, the volume spread evenly over its periods."""
    count = PERIODS_A_YEAR[terms.reconciliation]
    counted = {key: w.of(terms.figure) for key, w in mix.by_location.items()}
    volumes = [
        _Period(
            _numbered_period(count, k),
            {key: wrvu * k / count for key, wrvu in counted.items()},
            FULL,
        )
        for k in range(1, count + 1)
    ]
    return _evaluate(terms, volumes, FULL, FULL, money)


def _numbered_period(count: int, k: int) -> str:
    return {12: f"Month {k}", 4: f"Quarter {k}"}.get(count, "The year")


# --- Pay by date --------------------------------------------------------------------------------


def _days(first: dt.date, last: dt.date) -> int:
    return (last - first).days + 1


def _range_label(first: dt.date, last: dt.date) -> str:
    left = f"{first:%b} {first.day}" + (f", {first.year}" if first.year != last.year else "")
    return f"{left} to {last:%b} {last.day}, {last.year}"


def year_periods(year: tuple[dt.date, dt.date], count: int) -> list[tuple[dt.date, dt.date]]:
    """The year cut into `count` periods (12 months, 4 quarters or 1) from its first day."""
    months = 12 // count
    starts = [periods.add_months(year[0], i * months) for i in range(count + 1)]
    return [(start, after - ONE_DAY) for start, after in itertools.pairwise(starts)]


def pay_for_year(
    terms: Terms,
    *,
    year: tuple[dt.date, dt.date],
    work: Iterable[Work],
    through: dt.date,
    money: Money = rounding.cents,
) -> Pay | None:
    """Pay under `terms` for their part of the productivity `year`, from its start (or theirs)
    through `through`; None when they are not in force in the year by then."""
    first = max(year[0], terms.start or year[0])
    last = min(year[1], terms.end or year[1])
    if last < first or through < first:
        return None
    end = min(through, last)
    counted = sorted((w for w in work if first <= w.date <= end), key=lambda w: w.date)
    running: dict[object, Decimal] = {}
    volumes = []
    for start, stop in year_periods(year, PERIODS_A_YEAR[terms.reconciliation]):
        low, high = max(start, first), min(stop, end)
        if low > high:
            continue
        for item in counted:
            if low <= item.date <= high:
                running[item.location] = running.get(item.location, ZERO) + item.wrvu.of(
                    terms.figure
                )
        volumes.append(
            _Period(
                _range_label(low, high), dict(running), Share(_days(low, high), _days(start, stop))
            )
        )
    of = _days(*year)
    return _evaluate(
        terms, volumes, Share(_days(first, last), of), Share(_days(first, end), of), money
    )


@dataclass(frozen=True)
class YearPay:
    """Pay in a year under every contract in force in it, each on its own dates."""

    year: tuple[dt.date, dt.date]
    through: dt.date
    pays: tuple[Pay, ...]
    uncovered: Wrvu  # logged on dates no contract covers: paid by none

    @property
    def total(self) -> Decimal:
        return sum((pay.total for pay in self.pays), ZERO)


def pay_under_contracts(
    contracts: Sequence[Terms],
    *,
    year: tuple[dt.date, dt.date],
    work: Sequence[Work],
    through: dt.date,
) -> YearPay:
    found = (pay_for_year(c, year=year, work=work, through=through) for c in contracts)
    pays = tuple(sorted((p for p in found if p), key=lambda p: p.terms.start or dt.date.min))
    uncovered = sum(
        (
            w.wrvu
            for w in work
            if year[0] <= w.date <= min(through, year[1])
            and not any(c.covers(w.date) for c in contracts)
        ),
        Wrvu(),
    )
    return YearPay(year, through, pays, uncovered)


def projected_work(
    work: Sequence[Work],
    *,
    year: tuple[dt.date, dt.date],
    through: dt.date,
    days_off: frozenset[dt.date] = frozenset(),
    since: dt.date | None = None,
) -> list[Work]:
    """The year's work so far, and the same pace per working day (by location) for the working
    days left. The pace is the work from `since` (when logging began; the year's start by
    default) over the working days from then: the dashboard's projection. Work before `since`
    (wRVUs carried in from before logging began) counts, but sets no pace."""
    start = max(year[0], since or year[0])
    done: dict[object, Wrvu] = {}
    for item in work:
        if start <= item.date <= through:
            done[item.location] = done.get(item.location, Wrvu()) + item.wrvu
    elapsed = working_days(start, min(through, year[1]), days_off)
    projected = [item for item in work if year[0] <= item.date <= through]
    if not elapsed:
        return projected
    day = through + ONE_DAY
    per_day = {key: Wrvu(w.medicare / elapsed, w.policy / elapsed) for key, w in done.items()}
    while day <= year[1]:
        if day.weekday() < 5 and day not in days_off:
            projected.extend(Work(day, w, key) for key, w in per_day.items())
        day += ONE_DAY
    return projected


def carried_in(
    wrvu: Decimal | None, *, year: tuple[dt.date, dt.date], since: dt.date
) -> list[Work]:
    """wRVUs the user did in the year before logging began, as work on the day before it (so
    they count toward the threshold and tiers), at no location, under both figures."""
    if not wrvu or since <= year[0]:
        return []
    return [Work(since - ONE_DAY, Wrvu.both(wrvu))]


# --- Break-even and planning --------------------------------------------------------------------


@dataclass(frozen=True)
class Crossing:
    wrvu: Decimal  # a year's, under the first contract's figure, at the user's mix
    pay: Decimal  # what the first pays there (the second pays the same, to the cent)
    more_below: str
    more_above: str


@dataclass(frozen=True)
class BreakEven:
    first: Terms
    second: Terms
    crossings: tuple[Crossing, ...]
    searched_to: Decimal
    higher: str | None  # without a crossing: the one that pays more (None: the same)


def _difference(first: Terms, second: Terms, mix: Mix) -> Callable[[Decimal], Decimal]:
    def at(wrvu: Decimal) -> Decimal:
        scaled = mix.at_total(wrvu, first.figure)
        return (
            pay_for_volume(first, scaled, exact).total - pay_for_volume(second, scaled, exact).total
        )

    return at


def _kinks(terms: Terms, mix: Mix, figure: str) -> list[Decimal]:
    """Volumes (under `figure`) where the running total of a period reaches a tier start or the
    threshold: where the pay line bends."""
    unit = mix.at_total(ONE, figure)
    rates = terms.rates
    unrated = sum(
        (w.of(terms.figure) for key, w in unit.by_location.items() if key not in rates), ZERO
    )
    if not unrated:
        return []
    count = PERIODS_A_YEAR[terms.reconciliation]
    starts = [terms.threshold_wrvu, *(tier.from_wrvu for tier in terms.tiers)]
    return [start * count / (k * unrated) for start in starts for k in range(1, count + 1)]


def _search_limit(first: Terms, second: Terms, mix: Mix) -> Decimal:
    starts = [t.threshold_wrvu for t in (first, second)]
    starts += [tier.from_wrvu for t in (first, second) for tier in t.tiers]
    return min(MAX_WRVU, max(Decimal(10000), 3 * mix.total(first.figure), 2 * max(starts)))


def _sign(value: Decimal) -> int:
    return 0 if abs(value) < Decimal("0.000001") else (1 if value > 0 else -1)


def _bisect(at, low: Decimal, high: Decimal, low_sign: int) -> Decimal:
    while high - low > Decimal("0.0001"):
        middle = (low + high) / 2
        if _sign(at(middle)) == low_sign:
            low = middle
        else:
            high = middle
    return high


def break_even(first: Terms, second: Terms, mix: Mix, *, up_to: Decimal | None = None) -> BreakEven:
    """Where the two pay the same, as the user's volume (at their mix) grows from zero."""
    limit = up_to or _search_limit(first, second, mix)
    at = _difference(first, second, mix)
    grid = {limit * i / 400 for i in range(401)}
    grid |= {k for t in (first, second) for k in _kinks(t, mix, first.figure) if 0 < k < limit}
    samples = [(w, _sign(at(w))) for w in sorted(grid)]
    signed = [(w, s) for w, s in samples if s]
    crossings = []
    for (low, low_sign), (high, high_sign) in itertools.pairwise(signed):
        if low_sign != high_sign:
            point = rounding.hundredths(_bisect(at, low, high, low_sign))
            names = (first.name, second.name) if low_sign > 0 else (second.name, first.name)
            pay = pay_for_volume(first, mix.at_total(point, first.figure)).total
            crossings.append(Crossing(point, pay, *names))
    higher = None
    if not crossings and signed:
        higher = first.name if signed[0][1] > 0 else second.name
    return BreakEven(first, second, tuple(crossings), limit, higher)


def volume_for_income(
    terms: Terms, target: Decimal, mix: Mix, *, limit: Decimal = MAX_WRVU
) -> Decimal | None:
    """The fewest wRVUs a year (under the terms' figure, at the user's mix) that pay `target`,
    rounded up to the hundredth; None when no volume up to `limit` does."""

    def pays(wrvu: Decimal) -> Decimal:
        return pay_for_volume(terms, mix.at_total(wrvu, terms.figure), exact).total

    if pays(ZERO) >= target:
        return ZERO
    if pays(limit) < target:
        return None
    low, high = ZERO, limit
    while high - low > Decimal("0.0001"):
        middle = (low + high) / 2
        low, high = (low, middle) if pays(middle) >= target else (middle, high)
    # The answer lies in (low, high]: the first hundredth above low, if it pays the target.
    found = low.quantize(rounding.CENTS, rounding=ROUND_CEILING)
    return found if pays(found) >= target else found + rounding.CENTS


@dataclass(frozen=True)
class CodeMix:
    """A procedure of the user's year: how many cases and their wRVUs by location."""

    code: str
    description: str
    entries: Decimal  # cases a year
    by_location: Mapping[object, Wrvu]

    def per_case(self, figure: str) -> Decimal:
        total = sum((w.of(figure) for w in self.by_location.values()), ZERO)
        return total / self.entries if self.entries else ZERO


@dataclass(frozen=True)
class InProcedures:
    code: str
    description: str
    per_case: Decimal
    cases_a_month: int


def in_procedures(
    wrvu_a_month: Decimal, codes: Sequence[CodeMix], figure: str
) -> list[InProcedures]:
    """wRVUs a month as whole cases of each of the user's procedures (rounded up)."""
    found = []
    for item in codes:
        per_case = item.per_case(figure)
        if per_case > 0:
            cases = (wrvu_a_month / per_case).to_integral_value(rounding=ROUND_CEILING)
            found.append(
                InProcedures(item.code, item.description, rounding.hundredths(per_case), int(cases))
            )
    return found


def with_more_cases(mix: Mix, item: CodeMix, cases_a_month: int) -> Mix:
    """The mix with `cases_a_month` more (or fewer) cases of a procedure, at the locations where
    the user does it; fewer never goes below none."""
    if not item.entries:
        return mix
    change = max(Decimal(cases_a_month * 12), -item.entries) / item.entries
    return mix.plus(Mix({key: w.scaled(change) for key, w in item.by_location.items()}))


# --- Steps as text -----------------------------------------------------------------------------


def _wrvu(value: Decimal) -> str:
    return rounding.fixed(value, 2, grouped=True)


def _money(value: Decimal) -> str:
    return rounding.money(value) if value >= 0 else f"-{rounding.money(-value)}"


def _percent(value: Decimal) -> str:
    return f"{rounding.fixed(value, 2)}%"


def _scaled(share: Share) -> str:
    return "a year" if share.whole else f"a year × {share}"


def explain(pay: Pay) -> list[str]:
    """Every step of `pay`, one line each, as the pages, the PDF and the API show them."""
    terms = pay.terms
    steps = [f"{terms.name} counts the {FIGURE_LABELS[terms.figure]} wRVU figure: "
             f"{_wrvu(pay.wrvu)} wRVU."]  # fmt: skip
    if terms.base_salary:
        steps.append(
            f"Base salary: {_money(terms.base_salary)} {_scaled(pay.accrued)} = {_money(pay.base)}"
        )
    steps += _productivity_steps(pay)
    steps += _reconciliation_steps(pay)
    steps += [_bonus_step(line, pay.accrued) for line in pay.bonuses]
    steps += [
        f"{line.stipend.label}: {_money(line.stipend.annual_amount)} "
        f"{_scaled(pay.accrued)} = {_money(line.amount)}"
        for line in pay.stipend_lines
    ]
    steps.append(_total_step(pay))
    if pay.effective_rate is not None:
        steps.append(
            f"Effective rate: {_money(pay.total)} ÷ {_wrvu(pay.wrvu)} wRVU = "
            f"{_money(pay.effective_rate)} per wRVU"
        )
    return steps


def _productivity_steps(pay: Pay) -> list[str]:
    terms = pay.terms
    steps = [
        f"{line.name} at its own rate: {_wrvu(line.wrvu)} × {_money(line.rate)} = "
        f"{_money(line.amount)}"
        for line in pay.location_lines
    ]
    if terms.threshold_wrvu:
        scaled = "" if pay.in_force.whole else f" × {pay.in_force} = {_wrvu(pay.threshold)} wRVU"
        steps.append(f"Threshold: {_wrvu(terms.threshold_wrvu)} wRVU a year{scaled}")
    if terms.tiers and not pay.in_force.whole:
        starts = ", ".join(_wrvu(t.from_wrvu * pay.in_force.value) for t in terms.tiers)
        steps.append(f"Tier starts × {pay.in_force}: {starts} wRVU")
    if pay.below and terms.tiers:
        first = min(t.from_wrvu for t in terms.tiers) * pay.in_force.value
        mark = "the threshold" if pay.threshold >= first else "the first tier"
        steps.append(f"{_wrvu(pay.below)} wRVU up to {mark}: nothing beyond base")
    for line in pay.tier_lines:
        steps.append(
            f"{_tier_span(line)}: {_wrvu(line.wrvu)} × {_money(line.rate)} = {_money(line.amount)}"
        )
    amounts = [line.amount for line in (*pay.location_lines, *pay.tier_lines)]
    if terms.tiers or terms.location_rates:
        parts = " + ".join(_money(a) for a in amounts) + " = " if len(amounts) > 1 else ""
        steps.append(f"Productivity earned: {parts}{_money(pay.earned)}")
    return steps


def _tier_span(line: TierLine) -> str:
    if line.high is not None:
        return f"{_wrvu(line.low)} to {_wrvu(line.high)} wRVU"
    return f"Above {_wrvu(line.low)} wRVU" if line.low else "Every wRVU"


def _reconciliation_steps(pay: Pay) -> list[str]:
    if not pay.terms.draw:
        return []
    carry = pay.terms.shortfall == CARRY
    steps = []
    for line in pay.periods:
        text = f"{line.label}: earned {_money(line.earned)} against a draw of {_money(line.draw)}"
        shortfall = line.draw - line.earned
        if shortfall > 0:
            how = "carried forward" if carry else "clawed back"
            text += f": shortfall {_money(shortfall)} {how}"
        elif line.earned > line.draw:
            text += f": {_money(line.earned - line.draw)} above the draw"
            if carry and line.settlement < line.earned - line.draw:
                text += f", {_money(line.earned - line.draw - line.settlement)} of it against "
                text += "what was carried"
        steps.append(f"{text}; paid {_money(line.paid)}")
    if pay.outstanding:
        steps.append(
            f"Carried forward at the end, owed against later surpluses: {_money(pay.outstanding)}"
        )
    steps.append(f"Productivity paid: {_money(pay.productivity)}")
    return steps


def _bonus_step(line: BonusLine, accrued: Share) -> str:
    bonus = line.bonus
    achieved = f"× {_percent(bonus.achieved_percent)} achieved = {_money(line.amount)}"
    if bonus.kind == PERCENT:
        return f"{bonus.name}: {_percent(bonus.value)} of base {_money(line.basis)} {achieved}"
    return f"{bonus.name}: {_money(bonus.value)} {_scaled(accrued)} {achieved}"


def _total_step(pay: Pay) -> str:
    parts = [
        (pay.base, "base"),
        (pay.productivity, "productivity"),
        (pay.quality_bonus, "bonuses"),
        (pay.stipends, "stipends"),
    ]
    shown = [f"{_money(amount)} {name}" for amount, name in parts if amount]
    if len(shown) < 2:
        return f"Total: {_money(pay.total)}"
    return f"Total: {' + '.join(shown)} = {_money(pay.total)}"
