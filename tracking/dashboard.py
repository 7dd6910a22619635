"""Read-side aggregates for the dashboard, the stats API and the case log."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from .goals import (
    Pace,
    Pay,
    Period,
    change,
    fiscal_year,
    goal_split,
    pace,
    pay,
    percentile,
    periods,
)
from .models import Benchmark, CompensationTier, DayOff, Figure, Location, Preferences, ProcedureLog

ZERO = Decimal(0)
FIGURES = ("raw", "medicare", "policy")
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class Totals:
    entries: int = 0
    raw: Decimal = ZERO
    medicare: Decimal = ZERO
    policy: Decimal = ZERO

    def figure(self, name: str) -> Decimal:
        return getattr(self, name)


def _sums(prefix: str, condition: Q) -> dict:
    sums = {f"{prefix}_{name}": Coalesce(Sum(name, filter=condition), ZERO) for name in FIGURES}
    sums[f"{prefix}_entries"] = Count("pk", filter=condition)
    return sums


def _totals(row: dict, prefix: str) -> Totals:
    return Totals(**{name: row[f"{prefix}_{name}"] for name in ("entries", *FIGURES)})


def totals(user, start: dt.date | None = None, end: dt.date | None = None) -> Totals:
    row = ProcedureLog.objects.for_user(user).between(start, end).aggregate(**_sums("t", Q()))
    return _totals(row, "t")


@dataclass(frozen=True)
class PeriodTotals:
    period: Period
    current: Totals
    previous: Totals

    def change(self, figure: str) -> Decimal | None:
        return change(self.current.figure(figure), self.previous.figure(figure))


def period_totals(user, today: dt.date, fiscal_start_month: int) -> list[PeriodTotals]:
    """Every dashboard period and the one before it, in one query."""
    found = periods(today, fiscal_start_month)
    aggregates = {}
    for p in found:
        aggregates |= _sums(f"{p.key}_now", Q(date__range=(p.start, p.end)))
        aggregates |= _sums(f"{p.key}_before", Q(date__range=(p.previous_start, p.previous_end)))
    earliest = min(p.previous_start for p in found)
    row = (
        ProcedureLog.objects.for_user(user)
        .filter(date__gte=earliest, date__lte=today)
        .aggregate(**aggregates)
    )
    return [
        PeriodTotals(p, _totals(row, f"{p.key}_now"), _totals(row, f"{p.key}_before"))
        for p in found
    ]


def series(user, start: dt.date, end: dt.date, group_by: str = "month") -> list[dict]:
    """wRVU per day, week (Monday) or month in the range, gaps filled with zeros."""
    trunc = TRUNC[group_by]
    rows = (
        ProcedureLog.objects.for_user(user)
        .between(start, end)
        .annotate(bucket=trunc("date"))
        .values("bucket")
        .annotate(entries=Count("pk"), **{name: Sum(name) for name in FIGURES})
        .order_by("bucket")
    )
    found = {_as_date(row["bucket"]): row for row in rows}
    result = []
    for bucket in _buckets(start, end, group_by):
        row = found.get(bucket, {})
        result.append(
            {
                "period": bucket,
                "entries": row.get("entries", 0),
                **{name: row.get(name) or ZERO for name in FIGURES},
            }
        )
    return result


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _buckets(start: dt.date, end: dt.date, group_by: str):
    if group_by == "day":
        day = start
        step = dt.timedelta(days=1)
    elif group_by == "week":
        day = start - dt.timedelta(days=start.weekday())
        step = dt.timedelta(days=7)
    else:
        day = start.replace(day=1)
        step = None
    while day <= end:
        yield day
        if step:
            day += step
        else:
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def case_mix(user, start: dt.date, end: dt.date, figure: str, limit: int = 10):
    """Top codes and categories by the goal figure, with counts."""
    base = ProcedureLog.objects.for_user(user).between(start, end)
    codes = list(
        base.values("code__code", "code__short_descriptor", "code__category")
        .annotate(entries=Count("pk"), units=Sum("units"), wrvu=Sum(figure))
        .order_by("-wrvu", "code__code")[:limit]
    )
    categories = list(
        base.values("code__category")
        .annotate(entries=Count("pk"), wrvu=Sum(figure))
        .order_by("-wrvu", "code__category")
    )
    return codes, categories


def splits(user, start: dt.date, end: dt.date, figure: str):
    """wRVU by location and by setting."""
    base = ProcedureLog.objects.for_user(user).between(start, end)
    by_location = list(
        base.values("location__name")
        .annotate(entries=Count("pk"), wrvu=Sum(figure))
        .order_by("-wrvu")
    )
    by_setting = list(
        base.values("setting").annotate(entries=Count("pk"), wrvu=Sum(figure)).order_by("-wrvu")
    )
    return by_location, by_setting


@dataclass
class Standing:
    """Goal, pace and pay for the fiscal year so far."""

    year: tuple[dt.date, dt.date]
    figure: str
    done: Decimal
    target: Decimal | None = None
    split: object = None
    pace: Pace | None = None
    pay_to_date: Pay | None = None
    pay_projected: Pay | None = None
    annualised: Decimal = ZERO
    benchmarks: list[dict] = field(default_factory=list)


def preferences(user) -> Preferences:
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def standing(user, today: dt.date | None = None) -> Standing:
    today = today or timezone.localdate()
    prefs = preferences(user)
    figure = prefs.goal_figure
    year = fiscal_year(today, prefs.fiscal_year_start_month)
    days_off = frozenset(
        DayOff.objects.for_user(user).filter(date__range=year).values_list("date", flat=True)
    )
    logs = ProcedureLog.objects.for_user(user).filter(date__range=(year[0], today))
    by_location = dict(
        logs.values("location_id").annotate(wrvu=Sum(figure)).values_list("location_id", "wrvu")
    )
    done = sum(by_location.values(), ZERO)
    result = Standing(year=year, figure=figure, done=done)

    year_pace = pace(user.annual_wrvu_target or ZERO, done, today, year, days_off)
    result.pace = year_pace if user.annual_wrvu_target else None
    result.annualised = year_pace.projection
    if user.annual_wrvu_target:
        result.target = user.annual_wrvu_target
        result.split = goal_split(user.annual_wrvu_target, today, year, days_off)

    tiers = list(CompensationTier.objects.for_user(user).values_list("starts_at", "rate"))
    if tiers or user.dollars_per_wrvu is not None:
        rated = {
            loc.pk: loc
            for loc in Location.objects.for_user(user).filter(dollars_per_wrvu__isnull=False)
        }
        located = {
            rated[pk].name: (amount, rated[pk].dollars_per_wrvu)
            for pk, amount in by_location.items()
            if pk in rated
        }
        rest = done - sum((amount for amount, _ in located.values()), ZERO)
        result.pay_to_date = pay(rest, tiers, user.dollars_per_wrvu, located)
        factor = year_pace.projection / done if done else ZERO
        result.pay_projected = pay(
            rest * factor,
            tiers,
            user.dollars_per_wrvu,
            {name: (amount * factor, rate) for name, (amount, rate) in located.items()},
        )
    result.benchmarks = benchmark_standing(user.specialty, year_pace.projection)
    return result


def benchmark_standing(specialty: str, annualised: Decimal) -> list[dict]:
    """The user's specialty's figures grouped by table, population and year, with a percentile
    where the group has a percentile table."""
    if not specialty:
        return []
    groups = defaultdict(list)
    for row in Benchmark.objects.for_specialty(specialty):
        groups[(row.table, row.specialty, row.population, row.survey_year, row.source)].append(row)
    result = []
    for (table, name, population, year, source), rows in groups.items():
        points = {row.statistic: row.annual_wrvu for row in rows}
        result.append(
            {
                "table": table,
                "specialty": name,
                "population": population,
                "year": year,
                "source": source,
                "figures": sorted(rows, key=lambda r: r.annual_wrvu),
                "percentile": percentile(annualised, points) if annualised else None,
            }
        )
    return result


def figure_label(figure: str) -> str:
    return Figure(figure).label
