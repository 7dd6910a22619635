"""Read-side aggregates for the dashboard, the stats API and the case log."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CareerStage
from benchmarks.models import Benchmark
from codes.models import Code
from rvuedge.periods import Period, bucket_start, buckets, fiscal_year, periods
from tracking.goals import Pace, Pay, change, goal_split, pace, pay, percentile
from tracking.models import (
    CompensationTier,
    DayOff,
    Figure,
    Location,
    Preferences,
    ProcedureLog,
)

ZERO = Decimal(0)
FIGURES = ("raw", "medicare", "policy")


@dataclass(frozen=True)
class Totals:
    entries: int = 0
    raw: Decimal = ZERO
    medicare: Decimal = ZERO
    policy: Decimal = ZERO

    def figure(self, name: str) -> Decimal:
        return getattr(self, name)


def totals(user, start: dt.date | None = None, end: dt.date | None = None) -> Totals:
    row = (
        ProcedureLog.objects.for_user(user)
        .between(start, end)
        .aggregate(entries=Count("pk"), **{name: Coalesce(Sum(name), ZERO) for name in FIGURES})
    )
    return Totals(**row)


@dataclass(frozen=True)
class PeriodTotals:
    period: Period
    current: Totals
    previous: Totals

    def change(self, figure: str) -> Decimal | None:
        return change(self.current.figure(figure), self.previous.figure(figure))


def daily(user, start: dt.date, end: dt.date) -> dict[dt.date, Totals]:
    """Totals per day with entries: one grouped query over the user's date index. The periods,
    the trend series and the stats API sum these in Python (a few hundred rows a year)."""
    rows = (
        ProcedureLog.objects.for_user(user)
        .filter(date__range=(start, end))
        .values("date")
        .annotate(entries=Count("pk"), **{name: Sum(name) for name in FIGURES})
        .order_by()
    )
    return {row.pop("date"): Totals(**row) for row in rows}


def _sum(days: dict[dt.date, Totals], start: dt.date, end: dt.date) -> Totals:
    picked = [t for day, t in days.items() if start <= day <= end]
    return Totals(
        entries=sum(t.entries for t in picked),
        **{name: sum((t.figure(name) for t in picked), ZERO) for name in FIGURES},
    )


def period_totals(
    user, today: dt.date, fiscal_start_month: int, days: dict | None = None
) -> list[PeriodTotals]:
    """Every dashboard period and the one before it."""
    found = periods(today, fiscal_start_month)
    if days is None:
        days = daily(user, min(p.previous_start for p in found), today)
    return [
        PeriodTotals(p, _sum(days, p.start, p.end), _sum(days, p.previous_start, p.previous_end))
        for p in found
    ]


def series(
    user, start: dt.date, end: dt.date, group_by: str = "month", days: dict | None = None
) -> list[dict]:
    """wRVU per day, week (from Monday) or month in the range, gaps filled with zeros."""
    if days is None:
        days = daily(user, start, end)
    by_bucket = {bucket: [] for bucket in buckets(start, end, group_by)}
    for day, totals_of_day in days.items():
        if start <= day <= end:
            by_bucket[bucket_start(day, group_by)].append(totals_of_day)
    return [
        {
            "period": bucket,
            "entries": sum(t.entries for t in items),
            **{name: sum((t.figure(name) for t in items), ZERO) for name in FIGURES},
        }
        for bucket, items in by_bucket.items()
    ]


def case_mix(user, start: dt.date, end: dt.date, figure: str, limit: int = 10):
    """Top codes and categories by the goal figure: grouped by code id (no join), then the few
    codes used are looked up once."""
    per_code = list(
        ProcedureLog.objects.for_user(user)
        .filter(date__range=(start, end))
        .values("code_id")
        .annotate(entries=Count("pk"), units=Sum("units"), wrvu=Sum(figure))
        .order_by()
    )
    info = {
        c["id"]: c
        for c in Code.objects.filter(id__in=[row["code_id"] for row in per_code]).values(
            "id", "code", "short_descriptor", "category"
        )
    }
    codes = []
    categories: dict[str, dict] = {}
    for row in per_code:
        code = info[row["code_id"]]
        codes.append(
            {
                "code__code": code["code"],
                "code__short_descriptor": code["short_descriptor"],
                "code__category": code["category"],
                **{k: row[k] for k in ("entries", "units", "wrvu")},
            }
        )
        category = categories.setdefault(
            code["category"], {"code__category": code["category"], "entries": 0, "wrvu": ZERO}
        )
        category["entries"] += row["entries"]
        category["wrvu"] += row["wrvu"] or ZERO
    codes.sort(key=lambda r: (-(r["wrvu"] or ZERO), r["code__code"]))
    ordered = sorted(categories.values(), key=lambda r: (-r["wrvu"], r["code__category"]))
    return codes[:limit], ordered


def splits(user, start: dt.date, end: dt.date, figure: str):
    """wRVU by location and by setting, from one grouped query."""
    rows = (
        ProcedureLog.objects.for_user(user)
        .filter(date__range=(start, end))
        .values("location__name", "setting")
        .annotate(entries=Count("pk"), wrvu=Sum(figure))
        .order_by()
    )
    by_location: dict = {}
    by_setting: dict = {}
    for row in rows:
        for key, target in (("location__name", by_location), ("setting", by_setting)):
            item = target.setdefault(row[key], {key: row[key], "entries": 0, "wrvu": ZERO})
            item["entries"] += row["entries"]
            item["wrvu"] += row["wrvu"] or ZERO
    order = lambda items: sorted(items.values(), key=lambda r: -r["wrvu"])  # noqa: E731
    return order(by_location), order(by_setting)


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


def pay_prompt_due(user) -> bool:
    """Whether the tracker asks for target and pay: attendings only, once they have saved an
    entry, while they have neither a target nor a rate (nor tiers) and have not said not now."""
    if user.career_stage != CareerStage.ATTENDING:
        return False
    prefs = preferences(user)
    answered = prefs.annual_wrvu_target is not None or prefs.dollars_per_wrvu is not None
    if answered or prefs.pay_prompt_dismissed:
        return False
    return (
        ProcedureLog.objects.for_user(user).exists()
        and not CompensationTier.objects.for_user(user).exists()
    )


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

    target, rate = prefs.annual_wrvu_target, prefs.dollars_per_wrvu
    year_pace = pace(target or ZERO, done, today, year, days_off)
    result.pace = year_pace if target else None
    result.annualised = year_pace.projection
    if target:
        result.target = target
        result.split = goal_split(target, today, year, days_off)

    tiers = list(CompensationTier.objects.for_user(user).values_list("starts_at", "rate"))
    if tiers or rate is not None:
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
        result.pay_to_date = pay(rest, tiers, rate, located)
        factor = year_pace.projection / done if done else ZERO
        result.pay_projected = pay(
            rest * factor,
            tiers,
            rate,
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


def academic_year(day: dt.date) -> str:
    """July to June: 2025-26 for any day from July 2025 to June 2026."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def case_log_rows(user):
    """Counts by academic year, code and role, with the supervising attendings."""
    rows = (
        ProcedureLog.objects.for_user(user)
        .values("date__year", "date__month", "code__code", "code__short_descriptor",
                "code__category", "role", "supervising_attending")
        .annotate(entries=Count("pk"), units=Sum("units"))
        .order_by("code__code")
    )  # fmt: skip
    merged = {}
    for row in rows:
        year = academic_year(dt.date(row["date__year"], row["date__month"], 1))
        key = (year, row["code__code"], row["role"])
        item = merged.setdefault(
            key,
            {
                "academic_year": year,
                "code": row["code__code"],
                "description": row["code__short_descriptor"],
                "category": row["code__category"],
                "role": row["role"],
                "entries": 0,
                "units": 0,
                "attendings": set(),
            },
        )
        item["entries"] += row["entries"]
        item["units"] += row["units"]
        if row["supervising_attending"]:
            item["attendings"].add(row["supervising_attending"])
    return sorted(merged.values(), key=lambda r: (r["academic_year"], r["code"], r["role"]))


@dataclass(frozen=True)
class LoggedEncounter:
    """An encounter already in the log that an encounter about to be logged repeats."""

    encounter_id: int
    first_log_id: int
    date: dt.date
    lines: tuple[str, ...]


def _line_key(code: str, modifiers) -> str:
    return "-".join([code, *sorted(m for m in modifiers if m)])


def already_logged(user, *, date: dt.date, location, encounters) -> list[LoggedEncounter | None]:
    """For each encounter about to be logged (a list of lines with .code and .modifiers), an
    encounter of the user's on the same date at the same location (or both without one) whose
    lines have the same codes and modifiers, units aside: a likely duplicate (a form sent twice,
    a case typed again). None where there is none. Two queries at most."""
    wanted = [tuple(sorted(_line_key(s.code, s.modifiers) for s in specs)) for specs in encounters]
    codes = {spec.code for specs in encounters for spec in specs}
    if not codes:
        return [None] * len(encounters)
    same_place = ProcedureLog.objects.for_user(user).filter(date=date, location=location)
    candidates = same_place.filter(code__code__in=codes).values("encounter_id")
    found: dict[int, list] = defaultdict(list)
    for encounter_id, log_id, code, modifiers in (
        same_place.filter(encounter_id__in=candidates)
        .order_by("encounter_id", "pk")
        .values_list("encounter_id", "pk", "code__code", "modifiers")
    ):
        found[encounter_id].append((log_id, _line_key(code, modifiers.split("-"))))
    logged = {}
    for encounter_id, lines in found.items():
        labels = tuple(label for _, label in lines)
        logged.setdefault(
            tuple(sorted(labels)), LoggedEncounter(encounter_id, lines[0][0], date, labels)
        )
    return [logged.get(key) for key in wanted]
