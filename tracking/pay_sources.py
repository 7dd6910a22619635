"""Pay the dashboard shows from another app's terms, without tracking importing that app.

Apps that depend on tracking (contracts) know a user's pay better than the single rate and tiers
of Goals & pay. Such an app registers a source in its AppConfig.ready():

    register_pay_source(
        PaySource(name="contracts", estimate=year_estimate, link=PayLink(
            "Contracts and offers", "contracts:list", "Your contract's terms, offers side by side"))
    )

`estimate(user, *, year, today, days_off, since, carried)` returns a PayEstimate for the fiscal
year `year` through `today`, or None when it has nothing to say for this user (the dashboard
then uses the rate and tiers of Goals & pay). `since` is when logging began in the year (the
pace is counted from it; None: the year's start) and `carried` the wRVUs the user did in the
year before it (None: none given). The first source with an estimate wins. Each source's link
is offered on Goals & pay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class PayEstimate:
    to_date: Decimal
    projected: Decimal
    steps: tuple[str, ...]  # how pay to date is worked out, one line each
    source: str  # what it is based on, e.g. "Under your contracts: “Current” for 135/365 days."
    url: str  # where the whole arithmetic is shown


@dataclass(frozen=True)
class PayLink:
    label: str
    url_name: str
    description: str


@dataclass(frozen=True)
class PaySource:
    name: str
    estimate: Callable[..., PayEstimate | None]
    link: PayLink | None = None


_sources: dict[str, PaySource] = {}


def register_pay_source(source: PaySource) -> None:
    existing = _sources.get(source.name)
    if existing is not None and existing != source:
        raise ImproperlyConfigured(f"Pay source {source.name!r} is registered twice.")
    _sources[source.name] = source


def unregister_pay_source(name: str) -> None:
    """Remove a source (tests register throwaway ones)."""
    _sources.pop(name, None)


def estimate(
    user,
    *,
    year: tuple[dt.date, dt.date],
    today: dt.date,
    days_off: frozenset[dt.date],
    since: dt.date | None = None,
    carried: Decimal | None = None,
) -> PayEstimate | None:
    for source in _sources.values():
        found = source.estimate(
            user, year=year, today=today, days_off=days_off, since=since, carried=carried
        )
        if found is not None:
            return found
    return None


def links() -> list[PayLink]:
    return [source.link for source in _sources.values() if source.link]
