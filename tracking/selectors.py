"""Read-side aggregates for the dashboard, the stats API and the case log; the change history
as a person reads it.

Sums over a period read the daily and monthly totals (DailyTotal, DailyCodeTotal,
MonthlyCodeTotal, kept exact by tracking.totals), so their cost follows the days and months in
the period, not the entries: a user with a million entries sees the dashboard about as fast as
one with a thousand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CareerStage
from benchmarks.models import Benchmark
from codes.coding_edits import window as coding_window
from codes.models import Code, RelativeValue, Release
from ncci import checks
from ncci.checks import POST_OP_DAYS
from rvuedge.periods import (
    Period,
    academic_year,
    bucket_start,
    buckets,
    fiscal_year,
    month_end,
    month_start,
    next_month,
    periods,
)
from tracking import changes, pay_sources
from tracking.caselog import pgy_label, rotation_of
from tracking.goals import (
    Pace,
    Pay,
    Tracking,
    change,
    goal_split,
    pace,
    pay,
    percentile,
    tracking_window,
)
from tracking.models import (
    CompensationTier,
    DailyCodeTotal,
    DailyTotal,
    DayOff,
    Figure,
    Location,
    LogChange,
    MonthlyCodeTotal,
    Preferences,
    ProcedureLog,
    Role,
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
        DailyTotal.objects.for_user(user)
        .between(start, end)
        .aggregate(
            entries=Coalesce(Sum("entries"), 0),
            **{name: Coalesce(Sum(name), ZERO) for name in FIGURES},
        )
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
    """Totals per day with entries, read from the daily totals. The periods, the trend series
    and the stats API sum these in Python (a few hundred rows a year)."""
    rows = (
        DailyTotal.objects.for_user(user)
        .filter(date__range=(start, end))
        .values_list("date", "entries", *FIGURES)
    )
    return {
        day: Totals(entries, raw, medicare, policy) for day, entries, raw, medicare, policy in rows
    }


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


def period_sums(user, start: dt.date, end: dt.date, group: tuple[str, ...], **sums) -> list[dict]:
    """The user's entries from start to end summed (`sums`: name -> Sum over the totals' fields)
    by `group` (fields the daily and monthly code totals share: code_id, location_id,
    location__name, setting, role), as values().annotate() rows: the whole months of the period
    from the monthly totals, the days at either end from the daily ones. Two queries."""
    first = start if start.day == 1 else next_month(start)
    last = (
        month_start(end)
        if end == month_end(end)
        else month_start(month_start(end) - dt.timedelta(days=1))
    )
    parts = []
    if first <= last:
        months = MonthlyCodeTotal.objects.for_user(user).filter(month__range=(first, last))
        parts.append(months)
        ends = Q(date__range=(start, first - dt.timedelta(days=1)))
        ends |= Q(date__range=(month_end(last) + dt.timedelta(days=1), end))
    else:
        ends = Q(date__range=(start, end))
    parts.append(DailyCodeTotal.objects.for_user(user).filter(ends))
    merged: dict[tuple, dict] = {}
    for part in parts:
        for row in part.values(*group).annotate(**sums).order_by():
            key = tuple(row[name] for name in group)
            if key not in merged:
                merged[key] = row
                continue
            for name in sums:
                merged[key][name] = (merged[key][name] or 0) + (row[name] or 0)
    return list(merged.values())


def case_mix(user, start: dt.date, end: dt.date, figure: str, limit: int = 10):
    """Top codes and categories by the goal figure: the daily totals grouped by code id (no
    join), then the few codes used are looked up once."""
    per_code = period_sums(
        user,
        start,
        end,
        ("code_id",),
        entries=Sum("entries"),
        units=Sum("units"),
        wrvu=Sum(figure),
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


def wrvu_by_day_and_location(user, start: dt.date, end: dt.date) -> list[dict]:
    """Medicare-style and policy wRVUs per date and location (id or None), for pay by date."""
    return list(
        DailyCodeTotal.objects.for_user(user)
        .filter(date__range=(start, end))
        .values("date", "location_id")
        .annotate(medicare=Sum("medicare"), policy=Sum("policy"))
        .order_by("date", "location_id")
    )


def wrvu_by_code_and_location(user, start: dt.date, end: dt.date) -> list[dict]:
    """Entries and wRVUs (Medicare-style and policy) per code and location in the range, with
    the first date logged: a user's case mix, for planning in their own procedures."""
    rows = list(
        DailyCodeTotal.objects.for_user(user)
        .filter(date__range=(start, end))
        .values("code_id", "location_id")
        .annotate(
            entries=Sum("entries"),
            medicare=Sum("medicare"),
            policy=Sum("policy"),
            first=Min("date"),
        )
        .order_by()
    )
    codes = {
        pk: (code, description)
        for pk, code, description in Code.objects.filter(
            id__in={row["code_id"] for row in rows}
        ).values_list("id", "code", "short_descriptor")
    }
    for row in rows:
        row["code"], row["short_descriptor"] = codes[row.pop("code_id")]
    return sorted(rows, key=lambda row: (row["code"], row["location_id"] or 0))


def splits(user, start: dt.date, end: dt.date, figure: str):
    """wRVU by location and by setting, from one grouped query of the daily totals."""
    rows = period_sums(
        user, start, end, ("location__name", "setting"), entries=Sum("entries"), wrvu=Sum(figure)
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
    done: Decimal  # toward goal and pay: carried in, plus logged since tracking began
    tracking: Tracking | None = None
    target: Decimal | None = None
    split: object = None
    pace: Pace | None = None
    pay_to_date: Pay | None = None
    pay_projected: Pay | None = None
    pay_estimate: pay_sources.PayEstimate | None = None  # from another app's terms (contracts)
    annualised: Decimal | None = ZERO  # None until a week of logging (goals.MIN_TRACKED_DAYS)
    benchmarks: list[dict] = field(default_factory=list)


def preferences(user) -> Preferences:
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def pay_prompt_due(user, *, has_entries: bool | None = None) -> bool:
    """Whether the tracker asks for target and pay: attendings only, once they have saved an
    entry, while they have neither a target nor a rate (nor tiers) and have not said not now.
    `has_entries`: whether the user has an entry, when the caller knows (else read)."""
    if user.career_stage != CareerStage.ATTENDING:
        return False
    if has_entries is False:
        return False
    prefs = preferences(user)
    answered = prefs.annual_wrvu_target is not None or prefs.dollars_per_wrvu is not None
    if answered or prefs.pay_prompt_dismissed:
        return False
    if has_entries is None and not ProcedureLog.objects.for_user(user).exists():
        return False
    return not CompensationTier.objects.for_user(user).exists()


def first_entry_date(user) -> dt.date | None:
    return (
        ProcedureLog.objects.for_user(user).order_by("date").values_list("date", flat=True).first()
    )


def period_pay(user, by_location: dict[int | None, Decimal]) -> Pay | None:
    """What the user's pay settings make of credited wRVUs grouped by location id (as
    `standing` pays the year so far): entries at a location with its own rate at that rate, the
    rest through the tiers, else the flat $ per wRVU. None when no rate or tier is set."""
    tiers = list(CompensationTier.objects.for_user(user).values_list("starts_at", "rate"))
    rate = preferences(user).dollars_per_wrvu
    if not tiers and rate is None:
        return None
    rated = {
        loc.pk: loc
        for loc in Location.objects.for_user(user).filter(dollars_per_wrvu__isnull=False)
    }
    located = {
        rated[pk].name: (amount, rated[pk].dollars_per_wrvu)
        for pk, amount in by_location.items()
        if pk in rated
    }
    rest = sum(by_location.values(), ZERO) - sum((a for a, _ in located.values()), ZERO)
    return pay(rest, tiers, rate, located)


def standing(user, today: dt.date | None = None, *, prefs: Preferences | None = None) -> Standing:
    """Goal, pace and pay for the fiscal year, counted from when tracking began (goals.py).
    `prefs`: the user's preferences, when the caller has read them."""
    today = today or timezone.localdate()
    prefs = prefs or preferences(user)
    figure = prefs.goal_figure
    year = fiscal_year(today, prefs.fiscal_year_start_month)
    tracking = tracking_window(
        year, first_entry_date(user), prefs.tracking_since, prefs.carried_wrvu
    )
    days_off = frozenset(
        DayOff.objects.for_user(user).filter(date__range=year).values_list("date", flat=True)
    )
    by_location = {
        row["location_id"]: row["wrvu"]
        for row in period_sums(user, tracking.since, today, ("location_id",), wrvu=Sum(figure))
    }
    logged = sum(by_location.values(), ZERO)
    carried = tracking.carried or ZERO
    result = Standing(year=year, figure=figure, done=logged + carried, tracking=tracking)

    target, rate = prefs.annual_wrvu_target, prefs.dollars_per_wrvu
    year_pace = pace(target or ZERO, logged, today, year, days_off, tracking)
    result.pace = year_pace if target else None
    result.annualised = year_pace.annualised if year_pace.settled else None
    if target:
        result.target = target
        result.split = goal_split(target, today, year, days_off)

    result.pay_estimate = pay_sources.estimate(
        user,
        year=year,
        today=today,
        days_off=days_off,
        since=tracking.since,
        carried=tracking.carried,
    )
    tiers = list(CompensationTier.objects.for_user(user).values_list("starts_at", "rate"))
    if result.pay_estimate is None and (tiers or rate is not None):
        result.pay_to_date, result.pay_projected = _pay(
            user, by_location, result.done, year_pace.projection, tiers, rate
        )
    result.benchmarks = benchmark_standing(user.specialty, result.annualised)
    return result


def _pay(user, by_location, done, projection, tiers, rate) -> tuple[Pay, Pay]:
    """Pay to date and projected: entries at a location with its own rate are paid at it; the
    rest (with the carried-in wRVUs, which move the year up the tiers) through tiers or rate."""
    own_rate = Location.objects.for_user(user).filter(dollars_per_wrvu__isnull=False)
    rated = {loc.pk: loc for loc in own_rate}
    located = {
        rated[pk].name: (amount, rated[pk].dollars_per_wrvu)
        for pk, amount in by_location.items()
        if pk in rated
    }
    rest = done - sum((amount for amount, _ in located.values()), ZERO)
    factor = projection / done if done else ZERO
    projected = {name: (amount * factor, rate) for name, (amount, rate) in located.items()}
    return pay(rest, tiers, rate, located), pay(rest * factor, tiers, rate, projected)


def benchmark_standing(specialty: str, annualised: Decimal | None) -> list[dict]:
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


def case_log_rows(user):
    """Counts by academic year, code and role, with the PGY of the year (from the resident's
    residency start) and the supervising attendings."""
    rows = (
        ProcedureLog.objects.for_user(user)
        .values("date__year", "date__month", "code__code", "code__short_descriptor",
                "code__category", "role", "supervising_attending")
        .annotate(entries=Count("pk"), units=Sum("units"))
        .order_by("code__code")
    )  # fmt: skip
    merged = {}
    for row in rows:
        first_day = dt.date(row["date__year"], row["date__month"], 1)
        year = academic_year(first_day)
        key = (year, row["code__code"], row["role"])
        pgy = user.pgy_on(first_day)
        item = merged.setdefault(
            key,
            {
                "academic_year": year,
                "pgy": pgy,
                "pgy_label": pgy_label(pgy, year),
                "code": row["code__code"],
                "description": row["code__short_descriptor"],
                "category": row["code__category"],
                "role": row["role"],
                "role_label": role_label(row["role"]),
                "entries": 0,
                "units": 0,
                "attendings": set(),
            },
        )
        item["entries"] += row["entries"]
        item["units"] += row["units"]
        if row["supervising_attending"]:
            item["attendings"].add(row["supervising_attending"])
    for item in merged.values():
        item["attendings"] = sorted(item["attendings"])
    return sorted(merged.values(), key=lambda r: (r["academic_year"], r["code"], r["role"]))


# The change history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    """One change to an entry as a person reads it (tracking.changes)."""

    change: LogChange
    entry: str  # "27447-50 ×2", the entry as it was before the change (or after, when new)
    phrases: list[str]

    @property
    def text(self) -> str:
        return changes.sentence(self.phrases)


def change_rows(user, log_changes) -> list[ChangeRow]:
    """The changes (the user's own) with their phrases; the names of the codes, locations and
    releases they refer to are read in one query each."""
    log_changes = list(log_changes)
    names = _change_names(user, log_changes)
    return [
        ChangeRow(
            change=item,
            entry=changes.entry_label(item.before or item.after or {}, names),
            phrases=changes.describe(item.before, item.after, names),
        )
        for item in log_changes
    ]


def _change_names(user, log_changes) -> changes.Names:
    ids = defaultdict(set)
    for item in log_changes:
        for snapshot in (item.before, item.after):
            for name in ("code_id", "location_id", "release_id"):
                if (snapshot or {}).get(name) is not None:
                    ids[name].add(snapshot[name])
    return changes.Names(
        codes=dict(Code.objects.filter(pk__in=ids["code_id"]).values_list("pk", "code")),
        locations=dict(
            Location.objects.for_user(user)
            .filter(pk__in=ids["location_id"])
            .values_list("pk", "name")
        ),
        releases=dict(Release.objects.filter(pk__in=ids["release_id"]).values_list("pk", "name")),
    )


def role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value


def entry_defaults(user) -> dict:
    """What quick entry starts from for a trainee: the role and supervising attending of their
    previous case (the last one logged), so a run of cases with one attending is typed once."""
    if not user.is_trainee:
        return {}
    last = (
        ProcedureLog.objects.for_user(user)
        .order_by("-created_at", "-pk")
        .values("role", "supervising_attending")
        .first()
    )
    return last or {}


def attending_names(user, limit: int = 50) -> list[str]:
    """The supervising attendings the user has entered, the most recently used first."""
    rows = (
        ProcedureLog.objects.for_user(user)
        .exclude(supervising_attending="")
        .values("supervising_attending")
        .annotate(last=Max("pk"))
        .order_by("-last")[:limit]
    )
    return [row["supervising_attending"] for row in rows]


@dataclass
class Rotation:
    name: str
    last_seen: dt.date
    entries: int = 0
    codes: dict = field(default_factory=dict)

    @property
    def code_rows(self) -> list[dict]:
        return sorted(self.codes.values(), key=lambda c: (-c["times"], c["code"]))


def learning(user) -> list[Rotation]:
    """A student's codes seen per rotation (caselog.rotation_of: a #tag in the note, else the
    location), the most recent rotation first; each code with how often and how it was seen."""
    rotations: dict[str, Rotation] = {}
    entries = (
        ProcedureLog.objects.for_user(user)
        .order_by("-date", "-pk")
        .values_list("date", "code__code", "code__short_descriptor", "role", "location__name",
                     "note")
    )  # fmt: skip
    for day, code, description, role, location, note in entries.iterator():
        name = rotation_of(location, note)
        rotation = rotations.setdefault(name, Rotation(name=name, last_seen=day))
        rotation.entries += 1
        item = rotation.codes.setdefault(
            code,
            {"code": code, "description": description, "times": 0, "last_seen": day,
             "roles": []},
        )  # fmt: skip
        item["times"] += 1
        label = role_label(role)
        if label not in item["roles"]:
            item["roles"].append(label)
    return sorted(rotations.values(), key=lambda r: (-r.last_seen.toordinal(), r.name))


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


# Coding edits -----------------------------------------------------------------------------------


def _global_days(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """{(release id, code): GLOB DAYS} of the rows (no modifier) that price the pairs. One
    query."""
    return {
        (release, code): days
        for release, code, days in RelativeValue.objects.filter(
            release_id__in={r for r, _ in pairs}, code__code__in={c for _, c in pairs}, modifier=""
        ).values_list("release_id", "code__code", "global_days")
    }


def coding_context(
    user, first: dt.date, last: dt.date, *, packages_only: bool = False
) -> list[checks.Service]:
    """The user's logged services from `first` to `last`, for the coding edits of lines around
    them (codes.coding_edits): each with its encounter (the patient) and the global period of
    the row that priced it. Two queries.

    packages_only: only the procedures with a global package (ncci.checks.PACKAGE_GLOBALS),
    all that the lines of another encounter are checked against (every other rule reads one
    encounter's lines): a busy quarter's visits are not read at each entry."""
    logs = ProcedureLog.objects.for_user(user).filter(date__range=(first, last))
    if packages_only:
        logs = logs.filter(
            Exists(
                RelativeValue.objects.filter(
                    release=OuterRef("release"),
                    code=OuterRef("code"),
                    modifier="",
                    global_days__in=checks.PACKAGE_GLOBALS,
                )
            )
        )
    logs = list(
        logs.values_list("pk", "encounter_id", "date", "code__code", "modifiers", "units",
                         "release_id", "work_rvu")
    )  # fmt: skip
    globals_by = _global_days({(log[6], log[3]) for log in logs})
    return [
        checks.Service(
            key=("log", pk),
            code=code,
            day=day,
            encounter=encounter_id,
            modifiers=frozenset(m for m in modifiers.split("-") if m),
            units=units,
            global_days=globals_by.get((release_id, code), ""),
            work_rvu=work_rvu,
            checked=False,
        )
        for pk, encounter_id, day, code, modifiers, units, release_id, work_rvu in logs
    ]


def visits_in_packages(user, procedures: list[checks.Service], exclude=()) -> list[int]:
    """The user's encounters holding an E/M visit that a procedure's global package may take in
    (the day before to its last post-operative day), other than `exclude`: to check again when
    the procedure is logged, edited or deleted."""
    windows = [
        (
            p.day - dt.timedelta(days=1),
            p.day + dt.timedelta(days=POST_OP_DAYS.get(p.global_days, 0)),
        )
        for p in procedures
        if p.global_days in checks.PACKAGE_GLOBALS
    ]
    if not windows:
        return []
    first, last = min(w[0] for w in windows), max(w[1] for w in windows)
    visits = (
        ProcedureLog.objects.for_user(user)
        .filter(date__range=(first, last), code__code__gte="99202", code__code__lte="99499")
        .exclude(encounter_id__in=list(exclude))
        .values_list("encounter_id", "date")
        .distinct()
    )
    return sorted(
        {enc for enc, day in visits if any(start <= day <= end for start, end in windows)}
    )


def packages_of(items: list[tuple[int, str, dt.date]]) -> list[checks.Service]:
    """(release id, code, date) of entries as they are or were, as services with the global
    period of the row that priced them: the procedures whose packages may hold visits. One
    query."""
    globals_by = _global_days({(release, code) for release, code, _ in items})
    return [
        checks.Service(
            key=None, code=code, day=day, global_days=globals_by.get((release, code), "")
        )
        for release, code, day in items
        if globals_by.get((release, code)) in checks.PACKAGE_GLOBALS
    ]


def coding_around(user, day: dt.date) -> dict:
    """The arguments of codes.entry.preview that give its lines the coding edits of `day` with
    the user's own services around it."""
    first, last = coding_window(day)
    return {"day": day, "context": coding_context(user, first, last, packages_only=True)}


# --- Entries to review ------------------------------------------------------------------------


LEGACY_RULE = "credit"  # the rule of a warning stored as a message alone (migration 0014)


def warning_item(item) -> dict:
    """A stored warning as {"rule", "message"}. Entries hold warnings as objects with a stable
    rule id; a warning stored as a plain message (before rule ids were kept, or restored from
    an old backup) reads with the rule migration 0014 gave those."""
    if isinstance(item, dict):
        return {"rule": item.get("rule") or LEGACY_RULE, "message": str(item.get("message") or "")}
    return {"rule": LEGACY_RULE, "message": str(item)}


@dataclass(frozen=True)
class ReviewEntry:
    log: ProcedureLog
    warnings: list[dict]  # each {"rule", "message"}


@dataclass(frozen=True)
class ReviewDay:
    date: dt.date
    entries: list[ReviewEntry]


def review_days(user, start: dt.date, end: dt.date) -> list[ReviewDay]:
    """The user's entries from start to end whose credit came with warnings (a modifier to add,
    an add-on without its primary, units over Medicare's limit...), by date of service, newest
    first; within a day, by encounter and in the order entered."""
    logs = (
        ProcedureLog.objects.for_user(user)
        .between(start, end)
        .exclude(warnings=[])
        .select_related("code", "location")
        .defer("explanation", "code__long_descriptor")
        .order_by("-date", "encounter_id", "pk")
    )
    days: dict[dt.date, list[ReviewEntry]] = defaultdict(list)
    for log in logs:
        warnings = [w for w in map(warning_item, log.warnings or []) if w["message"]]
        if warnings:
            days[log.date].append(ReviewEntry(log, warnings))
    return [ReviewDay(day, entries) for day, entries in days.items()]


# Entry lines for other apps ---------------------------------------------------------------------

ENTRY_LINE_FIELDS = (
    "id", "encounter_id", "date", "code__code", "modifiers", "units", "setting", "release_id",
    "release__name", "work_rvu", "raw", "medicare", "policy",
)  # fmt: skip


def entry_lines(user, start: dt.date, end: dt.date) -> list[dict]:
    """The user's entries of a date range as plain values (ENTRY_LINE_FIELDS), by date and id:
    what an employer's statement is checked against (statements)."""
    return list(
        ProcedureLog.objects.for_user(user)
        .between(start, end)
        .order_by("date", "pk")
        .values(*ENTRY_LINE_FIELDS)
    )
