"""The daily and monthly totals (DailyTotal, DailyCodeTotal, MonthlyCodeTotal) kept exact:
every write to a user's entries rewrites the totals of the days it touched from the entries
themselves, and of their months from those days, in its transaction.

Rewriting a day from its entries rather than adding each change's difference keeps the totals
exact by construction (an edit that moves an entry to another day, a re-ranked encounter, a
visit re-credited by a procedure's global package: each only has to name its days). Two
transactions writing one user's entries at once take turns here (a transaction-long advisory
lock on PostgreSQL; SQLite has one writer anyway), and under read committed the second reads
the first's entries once it has committed, so neither leaves the other's days stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from rvuedge.locks import lock_id
from rvuedge.periods import month_end, month_start
from tracking.models import DailyCodeTotal, DailyTotal, MonthlyCodeTotal, ProcedureLog

FIGURES = ("raw", "medicare", "policy")
KEY = ("date", "code_id", "location_id", "setting", "role")
MONTH_KEY = ("month", *KEY[1:])
SUMS = ("entries", "units", *FIGURES)


def _lock(user) -> None:
    """Wait for another transaction rewriting this user's totals, until it has committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [lock_id(f"tracking-totals:{user.pk}")]
            )


def _scoped(queryset, days, start, end):
    if days is not None:
        return queryset.filter(date__in=days)
    return queryset.between(start, end)


# No savepoint of its own: it runs inside the transaction of the service that wrote the
# entries, which fails as a whole if this does.
@transaction.atomic(savepoint=False)
def days_refresh(
    user,
    days: Iterable[dt.date] | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> None:
    """Rewrite the user's totals of `days` (or of every day from `start` to `end`, either open)
    from their entries. Called by every service that writes entries, in its transaction. The
    database adds them up and writes them (INSERT ... SELECT): no row comes to Python."""
    if days is not None:
        days = sorted(set(days))
        if not days:
            return
    _lock(user)
    by_code = _scoped(DailyCodeTotal.objects.for_user(user), days, start, end)
    by_code.delete()
    _scoped(DailyTotal.objects.for_user(user), days, start, end).delete()
    _insert(
        DailyCodeTotal,
        _scoped(ProcedureLog.objects.for_user(user), days, start, end)
        .values("user_id", *KEY)
        .annotate(entries=Count("pk"), units=Sum("units"), **{f: Sum(f) for f in FIGURES}),
    )
    _insert(
        DailyTotal,
        by_code.values("user_id", "date").annotate(**{name: Sum(name) for name in SUMS}),
    )
    _months_refresh(user, days, start, end)


def _months_refresh(user, days, start, end) -> None:
    """Rewrite the monthly totals of the months holding `days` (or start..end) from the daily
    ones just written."""
    monthly = MonthlyCodeTotal.objects.for_user(user)
    daily = DailyCodeTotal.objects.for_user(user)
    if days is not None:
        months = sorted({month_start(day) for day in days})
        monthly = monthly.filter(month__in=months)
        within = Q()
        for month in months:
            within |= Q(date__range=(month, month_end(month)))
        daily = daily.filter(within)
    else:
        if start:
            monthly, daily = (
                monthly.filter(month__gte=month_start(start)),
                daily.filter(date__gte=month_start(start)),
            )
        if end:
            monthly, daily = monthly.filter(month__lte=end), daily.filter(date__lte=month_end(end))
    monthly.delete()
    _insert(
        MonthlyCodeTotal,
        daily.values("user_id", *KEY[1:], month=TruncMonth("date")).annotate(
            **{name: Sum(name) for name in SUMS}
        ),
    )


def _insert(model, rows) -> None:
    """Write the rows of a values() query (its names are the model's fields) into the model's
    table, in one statement."""
    query = rows.order_by().query
    sql, params = query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in query.selected)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)


def rebuild(user) -> None:
    """Every day of the user's totals from their entries (after a restore, for a bulk load)."""
    days_refresh(user, start=None, end=None)


def mismatches(user) -> list[str]:
    """Where the user's totals differ from a fresh aggregate of their entries: empty when exact.
    For tests and checks."""
    fresh = {
        tuple(row[k] for k in KEY): tuple(row[s] for s in SUMS)
        for row in ProcedureLog.objects.for_user(user)
        .values(*KEY)
        .annotate(entries=Count("pk"), units=Sum("units"), **{f: Sum(f) for f in FIGURES})
        .order_by()
    }
    kept = {
        tuple(row[k] for k in KEY): tuple(row[s] for s in SUMS)
        for row in DailyCodeTotal.objects.for_user(user)
        .values(*KEY)
        .annotate(**{s: Sum(s) for s in SUMS})
        .order_by()
    }
    days = {}
    for key, sums in fresh.items():
        day = days.setdefault(key[0], [0, 0, Decimal(0), Decimal(0), Decimal(0)])
        for i, value in enumerate(sums):
            day[i] += value
    fresh_days = {day: tuple(sums) for day, sums in days.items()}
    kept_days = {
        row["date"]: tuple(row[s] for s in SUMS)
        for row in DailyTotal.objects.for_user(user).values("date", *SUMS)
    }
    fresh_months = {}
    for key, sums in fresh.items():
        month = fresh_months.setdefault((month_start(key[0]), *key[1:]), [0] * len(SUMS))
        for i, value in enumerate(sums):
            month[i] += value
    fresh_months = {key: tuple(sums) for key, sums in fresh_months.items()}
    kept_months = {
        tuple(row[k] for k in MONTH_KEY): tuple(row[s] for s in SUMS)
        for row in MonthlyCodeTotal.objects.for_user(user)
        .values(*MONTH_KEY)
        .annotate(**{s: Sum(s) for s in SUMS})
        .order_by()
    }
    problems = [
        f"by month {key}: {kept_months.get(key)} != {fresh_months.get(key)}"
        for key in sorted(set(fresh_months) | set(kept_months), key=str)
        if kept_months.get(key) != fresh_months.get(key)
    ]
    problems += [
        f"by code {key}: {kept.get(key)} != {fresh.get(key)}"
        for key in sorted(set(fresh) | set(kept), key=str)
        if kept.get(key) != fresh.get(key)
    ]
    problems += [
        f"day {day}: {kept_days.get(day)} != {fresh_days.get(day)}"
        for day in sorted(set(fresh_days) | set(kept_days))
        if kept_days.get(day) != fresh_days.get(day)
    ]
    return problems
