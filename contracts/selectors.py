"""Reads for contracts: the user's contracts as engine terms, and their own log (through
tracking.selectors) as the engine's work by date and annualised mix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from contracts import engine
from contracts.models import Contract
from rvuedge import periods, rounding
from tracking import selectors as tracking_selectors
from tracking.models import DayOff
from tracking.pay_sources import PayEstimate

ZERO = Decimal(0)
YEAR_DAYS = 365
SHORT_HISTORY_DAYS = 90  # fewer days logged than this: the annualised volume is a rough guess
TOP_CODES = 5


def contracts(user):
    return Contract.objects.for_user(user).with_terms()


def signed_terms(user, start: dt.date, end: dt.date) -> list[engine.Terms]:
    """The user's signed contracts in force on any day from start to end."""
    return [c.as_terms() for c in contracts(user).in_force_between(start, end)]


def fiscal_year(user, today: dt.date) -> tuple[dt.date, dt.date]:
    prefs = tracking_selectors.preferences(user)
    return periods.fiscal_year(today, prefs.fiscal_year_start_month)


def work(user, start: dt.date, end: dt.date) -> list[engine.Work]:
    return [
        engine.Work(row["date"], engine.Wrvu(row["medicare"], row["policy"]), row["location_id"])
        for row in tracking_selectors.wrvu_by_day_and_location(user, start, end)
    ]


def days_off(user, year: tuple[dt.date, dt.date]) -> frozenset[dt.date]:
    return frozenset(
        DayOff.objects.for_user(user).filter(date__range=year).values_list("date", flat=True)
    )


@dataclass(frozen=True)
class YearStanding:
    """Pay in a fiscal year under the signed contracts: to date, and projected at the pace so
    far (the dashboard's projection)."""

    year: tuple[dt.date, dt.date]
    today: dt.date
    to_date: engine.YearPay
    projected: engine.YearPay


def year_standing(
    user,
    today: dt.date | None = None,
    *,
    days: frozenset[dt.date] | None = None,
    since: dt.date | None = None,
    carried: Decimal | None = None,
    year: tuple[dt.date, dt.date] | None = None,
) -> YearStanding | None:
    """None when no signed contract is in force in the fiscal year holding `today` (`year`,
    when the caller has it). `since` and `carried`: when logging began in the year and the
    wRVUs done before it (tracking.pay_sources), which count toward thresholds and tiers but set
    no pace."""
    today = today or timezone.localdate()
    year = year or fiscal_year(user, today)
    terms = signed_terms(user, *year)
    if not terms:
        return None
    start = since or year[0]
    done = engine.carried_in(carried, year=year, since=start)
    done += work(user, year[0], min(today, year[1]))
    days = days_off(user, year) if days is None else days
    future = engine.projected_work(done, year=year, through=today, days_off=days, since=start)
    return YearStanding(
        year=year,
        today=today,
        to_date=engine.pay_under_contracts(terms, year=year, work=done, through=today),
        projected=engine.pay_under_contracts(terms, year=year, work=future, through=year[1]),
    )


def dashboard_estimate(
    user, *, year, today, days_off, since=None, carried=None
) -> PayEstimate | None:
    """tracking.pay_sources: the dashboard's pay under the contracts in force in the year."""
    found = year_standing(user, today, days=days_off, since=since, carried=carried, year=year)
    if found is None:
        return None
    names = "; ".join(f"“{p.terms.name}” for {p.accrued}" for p in found.to_date.pays)
    source = f"Under your contracts: {names}." if names else "No contract in force yet this year."
    steps = [step for pay in found.to_date.pays for step in pay.steps]
    return PayEstimate(
        to_date=found.to_date.total,
        projected=found.projected.total,
        steps=tuple(steps),
        source=source,
        url=reverse("contracts:pay"),
    )


# --- The user's annualised volume and mix -------------------------------------------------------


@dataclass(frozen=True)
class Annualised:
    """The last year of the user's log as a year's mix (by location) and procedures."""

    mix: engine.Mix
    codes: list[engine.CodeMix]
    first: dt.date | None
    last: dt.date
    days: int  # logged span, first entry to today (at most a year)

    @property
    def factor(self) -> Decimal:
        return Decimal(YEAR_DAYS) / Decimal(self.days) if self.days else ZERO

    @property
    def short(self) -> bool:
        return 0 < self.days < SHORT_HISTORY_DAYS

    def explain(self, figure: str) -> str:
        if not self.first:
            return "No entries in the last year: enter an annual volume to compare."
        logged = self.mix.total(figure) / self.factor
        label = engine.FIGURE_LABELS[figure]
        return (
            f"{rounding.fixed(logged, 2, grouped=True)} wRVU ({label}) logged in {self.days} days "
            f"({self.first:%b} {self.first.day}, {self.first.year} to {self.last:%b} "
            f"{self.last.day}, {self.last.year}) × {YEAR_DAYS} / {self.days} = "
            f"{rounding.fixed(self.mix.total(figure), 2, grouped=True)} a year"
        )


def annualised(user, today: dt.date | None = None) -> Annualised:
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=YEAR_DAYS - 1)
    rows = tracking_selectors.wrvu_by_code_and_location(user, start, today)
    if not rows:
        return Annualised(engine.Mix(), [], None, today, 0)
    first = min(row["first"] for row in rows)
    days = (today - first).days + 1
    factor = Decimal(YEAR_DAYS) / Decimal(days)
    by_location: dict[object, engine.Wrvu] = {}
    codes: dict[str, dict] = {}
    for row in rows:
        wrvu = engine.Wrvu(row["medicare"] or ZERO, row["policy"] or ZERO).scaled(factor)
        key = row["location_id"]
        by_location[key] = by_location.get(key, engine.Wrvu()) + wrvu
        item = codes.setdefault(
            row["code"], {"description": row["short_descriptor"], "entries": 0, "at": {}}
        )
        item["entries"] += row["entries"]
        item["at"][key] = item["at"].get(key, engine.Wrvu()) + wrvu
    mixes = [
        engine.CodeMix(code, item["description"], item["entries"] * factor, item["at"])
        for code, item in codes.items()
    ]
    mixes.sort(key=lambda m: (-sum(w.policy for w in m.by_location.values()), m.code))
    return Annualised(engine.Mix(by_location), mixes, first, today, days)


def goal_figure(user) -> str:
    """The figure the user's volume is expressed in: their goal figure (policy for raw)."""
    figure = tracking_selectors.preferences(user).goal_figure
    return figure if figure in engine.FIGURE_LABELS else engine.POLICY


def benchmark_targets(user) -> list[dict]:
    """The user's specialty's benchmark figures: [{"key", "label", "wrvu", "source"}]."""
    targets = []
    for group in tracking_selectors.benchmark_standing(user.specialty, ZERO):
        for row in group["figures"]:
            targets.append(
                {
                    "key": str(row.pk),
                    "label": f"{row.get_statistic_display()}, {group['specialty']}"
                    f"{', ' + group['population'] if group['population'] else ''} "
                    f"({group['year']}): {rounding.fixed(row.annual_wrvu, 0, grouped=True)} wRVU",
                    "wrvu": row.annual_wrvu,
                    "source": group["source"],
                }
            )
    return targets
