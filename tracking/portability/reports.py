"""What a report says about a filtered set of entries: totals, credit by month or week, and a
per-code table with the release that priced each figure. Sums are done by the database; the
figures stay Decimal and are rounded only where a person reads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from rvuedge import periods

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
    return Totals(
        entries=values["entries"],
        units=values["units"] or 0,
        raw=values["raw"] or ZERO,
        medicare=values["medicare"] or ZERO,
        policy=values["policy"] or ZERO,
        first=values["first"],
        last=values["last"],
    )


def report_by_code(queryset) -> list[CodeRow]:
    """One row per code and release (a code priced by two releases shows twice), in code order."""
    rows = (
        queryset.order_by()
        .values("code__code", "code__short_descriptor", "release__name")
        .annotate(
            entries=Count("pk"),
            units=Sum("units"),
            raw=Sum("raw"),
            medicare=Sum("medicare"),
            policy=Sum("policy"),
        )
        .order_by("code__code", "release__name")
    )
    return [
        CodeRow(
            code=row["code__code"],
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


def report_build(queryset) -> Report:
    totals = report_totals(queryset)
    granularity = granularity_for(totals.first, totals.last)
    by_code = report_by_code(queryset)
    return Report(
        totals=totals,
        by_code=by_code,
        series=report_series(queryset, granularity),
        granularity=granularity,
        releases=sorted({row.release for row in by_code}),
    )
