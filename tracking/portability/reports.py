"""What a report says about a filtered set of entries: totals, credit by month or week, a
per-code table (code and modifiers: 99213 and 99213-52 are different lines) with the release
that priced each figure, the entries by date, and, for the user's own report, the pay those
credits come to and the annual target (Preferences). Sums are done by the database; the
figures stay Decimal and are rounded only where a person reads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from rvuedge import periods
from tracking import selectors
from tracking.goals import Pay

ZERO = Decimal("0")
# A period up to about a quarter is charted by week; anything longer by month.
WEEKLY_UP_TO_DAYS = 92


@dataclass
class Totals:
    entries: int = 0
    units: int = 0
    raw: Decimal = ZERO
    medicare: Decimal = ZERO
    policy: Decimal = ZERO
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass
class CodeRow:
    code: str
    description: str
    release: str
    entries: int
    units: int
    raw: Decimal
    medicare: Decimal
    policy: Decimal
    modifiers: str = ""  # "52", "26-59": as entered, "-" between them

    @property
    def label(self) -> str:
        """The code as it was billed: 99213-52."""
        return code_label(self.code, self.modifiers)


def code_label(code: str, modifiers: str) -> str:
    return f"{code}-{modifiers}" if modifiers else code


@dataclass
class EntryRow:
    """One entry as the report lists it, by date."""

    date: dt.date
    code: str
    modifiers: str
    units: int
    setting: str
    location: str
    release: str
    raw: Decimal
    medicare: Decimal
    policy: Decimal

    @property
    def label(self) -> str:
        return code_label(self.code, self.modifiers)


@dataclass
class Goal:
    """The user's goal and pay settings applied to the report's entries."""

    figure: str  # "raw", "medicare" or "policy": the credit the user counts toward goal and pay
    figure_label: str
    wrvu: Decimal  # the entries' credit in that figure
    target: Decimal | None  # the annual wRVU target, when set
    pay: Pay | None  # None when neither $ per wRVU nor tiers are set
    tiered: bool = False

    @property
    def share_of_target(self) -> Decimal | None:
        """The entries' credit as a percentage of the annual target."""
        return self.wrvu * 100 / self.target if self.target else None


@dataclass
class PeriodRow:
    start: dt.date
    entries: int
    raw: Decimal
    medicare: Decimal
    policy: Decimal


@dataclass
class Report:
    """Everything the PDF and the reports page show for one filtered queryset."""

    totals: Totals
    by_code: list[CodeRow]
    series: list[PeriodRow]
    granularity: str  # "week" or "month"
    releases: list[str] = field(default_factory=list)
    entries: list[EntryRow] = field(default_factory=list)
    goal: Goal | None = None  # for the user's own report (report_build with `user`)


def _totals(values: dict) -> Totals:
    """Totals from an aggregate of entries, units, the three figures and the first and last date
    (sums over no rows are None)."""
    return Totals(
        entries=values["entries"] or 0,
        units=values["units"] or 0,
        raw=values["raw"] or ZERO,
        medicare=values["medicare"] or ZERO,
        policy=values["policy"] or ZERO,
        first=values["first"],
        last=values["last"],
    )


def report_totals(queryset) -> Totals:
    values = queryset.order_by().aggregate(
        entries=Count("pk"),
        units=Sum("units"),
        raw=Sum("raw"),
        medicare=Sum("medicare"),
        policy=Sum("policy"),
        first=Min("date"),
        last=Max("date"),
    )
    return _totals(values)


def report_totals_of_days(daily_totals) -> Totals:
    """report_totals read from the daily totals (DailyCodeTotal) filtered as the entries would
    be (date, code, location, setting, role): the same figures from a few rows a day instead of
    every entry."""
    values = daily_totals.order_by().aggregate(
        entries=Sum("entries"),
        units=Sum("units"),
        raw=Sum("raw"),
        medicare=Sum("medicare"),
        policy=Sum("policy"),
        first=Min("date"),
        last=Max("date"),
    )
    return _totals(values)


def report_by_code(queryset) -> list[CodeRow]:
    """One row per code, modifiers and release (99213 and 99213-52 are two rows, and a code
    priced by two releases shows twice), in code order."""
    rows = (
        queryset.order_by()
        .values("code__code", "modifiers", "code__short_descriptor", "release__name")
        .annotate(
            entries=Count("pk"),
            units=Sum("units"),
            raw=Sum("raw"),
            medicare=Sum("medicare"),
            policy=Sum("policy"),
        )
        .order_by("code__code", "modifiers", "release__name")
    )
    return [
        CodeRow(
            code=row["code__code"],
            modifiers=row["modifiers"],
            description=row["code__short_descriptor"],
            release=row["release__name"],
            entries=row["entries"],
            units=row["units"],
            raw=row["raw"],
            medicare=row["medicare"],
            policy=row["policy"],
        )
        for row in rows
    ]


def report_entries(queryset) -> list[EntryRow]:
    """Every entry, by date of service (then as entered)."""
    rows = queryset.order_by("date", "pk").values_list(
        "date", "code__code", "modifiers", "units", "setting", "location__name", "release__name",
        "raw", "medicare", "policy",
    )  # fmt: skip
    return [
        EntryRow(date, code, modifiers, units, setting, location or "", release, raw, med, pol)
        for date, code, modifiers, units, setting, location, release, raw, med, pol in rows
    ]


def report_goal(queryset, user) -> Goal:
    """The entries' credit in the figure the user counts, what it pays with their rates (as the
    dashboard pays the year), and their annual target."""
    prefs = selectors.preferences(user)
    figure = prefs.goal_figure
    by_location = {
        location: amount or ZERO
        for location, amount in queryset.order_by()
        .values("location_id")
        .annotate(amount=Sum(figure))
        .values_list("location_id", "amount")
    }
    pay = selectors.period_pay(user, by_location)
    return Goal(
        figure=figure,
        figure_label=selectors.figure_label(figure),
        wrvu=sum(by_location.values(), ZERO),
        target=prefs.annual_wrvu_target,
        pay=pay,
        tiered=bool(pay and user.compensation_tiers.exists()),
    )


def granularity_for(first: dt.date | None, last: dt.date | None) -> str:
    if first and last and (last - first).days <= WEEKLY_UP_TO_DAYS:
        return "week"
    return "month"


def report_series(queryset, granularity: str) -> list[PeriodRow]:
    trunc = TruncWeek if granularity == "week" else TruncMonth
    rows = (
        queryset.order_by()
        .annotate(period=trunc("date"))
        .values("period")
        .annotate(
            entries=Count("pk"), raw=Sum("raw"), medicare=Sum("medicare"), policy=Sum("policy")
        )
        .order_by("period")
    )
    found = {
        _as_date(row["period"]): PeriodRow(
            start=_as_date(row["period"]),
            entries=row["entries"],
            raw=row["raw"],
            medicare=row["medicare"],
            policy=row["policy"],
        )
        for row in rows
    }
    if not found:
        return []
    # Periods without entries are part of the chart too, as zero.
    series, period, last = [], min(found), max(found)
    while period <= last:
        series.append(found.get(period) or PeriodRow(period, 0, ZERO, ZERO, ZERO))
        period = periods.next_bucket(period, granularity)
    return series


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def report_build(queryset, *, entries: bool = False, user=None) -> Report:
    """The report of `queryset`; with `entries`, every entry by date; with `user` (the owner of
    the entries), their goal and pay."""
    totals = report_totals(queryset)
    granularity = granularity_for(totals.first, totals.last)
    by_code = report_by_code(queryset)
    return Report(
        totals=totals,
        by_code=by_code,
        series=report_series(queryset, granularity),
        granularity=granularity,
        releases=sorted({row.release for row in by_code}),
        entries=report_entries(queryset) if entries else [],
        goal=report_goal(queryset, user) if user is not None else None,
    )
