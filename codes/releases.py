"""Which fee schedule release to use: the current one, one by name, or the one in effect on a
date of service. Pages, the API, tracking and the calculators all ask here.

A release is in effect from its quarter's first day (A January 1, B April 1, C July 1,
D October 1 of its year) until the next one. For a date of service the choice is made by
`choose_for_date`, a pure function over (name, effective date) pairs; `for_date` applies it to
the imported releases.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rvuedge import periods

from . import cache as codes_cache
from .models import Release

QUARTER_LETTERS = "ABCD"


def effective_date(year: int, quarter: str) -> dt.date:
    """The first day a release of `year` and quarter letter applies."""
    return periods.nth_quarter_start(year, QUARTER_LETTERS.index(quarter) + 1)


def effective_on(release: Release) -> dt.date:
    """When `release` takes effect: the date it records, else its quarter's first day."""
    return release.effective_on or effective_date(release.year, release.quarter)


def scheduled_name(day: dt.date) -> str:
    """The name of the release CMS has in effect on `day` ("RVU26A" for 2026-02-01)."""
    return f"RVU{day.year % 100:02d}{QUARTER_LETTERS[periods.quarter_of(day) - 1]}"


# --- Current and by name ------------------------------------------------------------------------


def current(*, qp: bool = False) -> Release | None:
    """The release pages price from (the non-QP one unless asked), or None before any import."""
    return Release.objects.current(qp=qp)


def current_name() -> str | None:
    """Name of the current release (e.g. "RVU26C"), or None before any import.

    Every page shows it, so it is cached; codes.services.release_make_current clears the cache
    when the current release changes.
    """
    name = codes_cache.current_release_name_get()
    if name is None:
        release = current()
        name = release.name if release else None
        codes_cache.current_release_name_set(name)
    return name or None


def by_name(name: str, *, qp: bool = False) -> Release | None:
    """The loaded release named `name` (any case), its QP file if asked and there is one, else
    its other file; None when no such release is loaded."""
    found = Release.objects.loaded().filter(name=name.strip().upper())
    return min(found, key=lambda r: r.is_qp != qp, default=None)


def loaded_names() -> list[str]:
    """Names of the loaded releases, newest first, each once (for messages and choices)."""
    return sorted(set(Release.objects.loaded().values_list("name", flat=True)), reverse=True)


# --- By date of service -------------------------------------------------------------------------


class Flag(enum.StrEnum):
    """Why the release chosen for a date is not the one CMS has in effect on it."""

    NONE = ""  # it is the release in effect
    SAME_YEAR = "same-year"  # that release is not imported: the nearest one of the same year
    BEFORE = "before"  # before every imported year: the oldest release
    AFTER = "after"  # a year after the newest imported release: the newest
    OTHER_YEAR = "other-year"  # no release of that year (between imported years)
    CHOSEN = "chosen"  # a person chose the release (re-pricing), not the date

    @property
    def label(self) -> str:
        """A short label for badges and choices ("Nearest release of the year")."""
        return FLAG_LABELS[self]


FLAG_LABELS = {
    Flag.NONE: "In effect on the date",
    Flag.SAME_YEAR: "Nearest release of the year",
    Flag.BEFORE: "Before every imported release",
    Flag.AFTER: "Newest release, of an earlier year",
    Flag.OTHER_YEAR: "No release of that year",
    Flag.CHOSEN: "Chosen in re-pricing",
}


@dataclass(frozen=True)
class Choice:
    name: str
    flag: Flag = Flag.NONE
    note: str = ""  # says why, for the person who logged the entry; "" when not flagged

    @property
    def flagged(self) -> bool:
        return self.flag is not Flag.NONE


def choose_for_date(day: dt.date, releases: Iterable[tuple[str, dt.date]]) -> Choice | None:
    """The release to price a service on `day` with, among (name, effective date) pairs.

    - The release in effect on the day (the latest that took effect by then, when it took effect
      in the day's quarter; a revision such as RVU24AR replaces its quarter's release).
    - On or after the newest release's effective date, the newest: it stays in effect until a
      newer one is imported. Flagged only when the day is in a later calendar year.
    - When the release in effect is not imported, the nearest imported release of the same
      calendar year (its conversion factor and indices matter most), by quarters, the earlier
      one on a tie; flagged.
    - Before every imported year, the oldest; between imported years, the one before; flagged.
    None when there is no release at all.
    """
    ordered = sorted(releases, key=lambda r: (r[1], r[0]))
    if not ordered:
        return None
    started = [r for r in ordered if r[1] <= day]
    if started and periods.quarter_start(started[-1][1]) == periods.quarter_start(day):
        return Choice(started[-1][0])
    newest, newest_on = ordered[-1]
    if day >= newest_on:
        if day.year == newest_on.year:
            return Choice(newest)
        return Choice(
            newest,
            Flag.AFTER,
            f"No release of {day.year} is imported yet; priced with the newest, {newest}.",
        )
    same_year = [r for r in reversed(ordered) if r[1].year == day.year]
    if same_year:
        target = periods.quarter_start(day)

        def distance(release):
            quarters = periods.quarters_between(target, release[1])
            return abs(quarters), quarters > 0

        name = min(same_year, key=distance)[0]
        return Choice(
            name,
            Flag.SAME_YEAR,
            f"{scheduled_name(day)} (in effect on {day.isoformat()}) is not imported; priced "
            f"with {name}, the nearest imported release of {day.year}.",
        )
    if not started:
        oldest = ordered[0][0]
        return Choice(
            oldest,
            Flag.BEFORE,
            f"{day.isoformat()} is before every imported release; priced with the oldest, "
            f"{oldest}.",
        )
    before = started[-1][0]
    return Choice(
        before,
        Flag.OTHER_YEAR,
        f"No release of {day.year} is imported; priced with {before}, the one in effect before.",
    )


@dataclass(frozen=True)
class DatedRelease:
    """The release for a date of service, and whether (and why) it is flagged."""

    release: Release
    flag: Flag = Flag.NONE
    note: str = ""

    @property
    def flagged(self) -> bool:
        return self.flag is not Flag.NONE


def dated_chooser(
    *, qp: bool = False, cached: bool = False
) -> Callable[[dt.date], DatedRelease | None]:
    """for_date for many dates (an import, a re-pricing): the loaded releases are read once and
    each date's choice is remembered. The function gives None before any import. `cached`
    takes the list from the page state (codes.cache) when it holds one: for pages, which do not
    write; a write reads the rows in its own transaction."""
    loaded = _loaded_releases(cached)
    effective = {r.name: effective_on(r) for r in loaded}
    files: dict[str, Release] = {}
    for release in sorted(loaded, key=lambda r: r.is_qp != qp, reverse=True):
        files[release.name] = release  # the file asked for (QP or not) wins, written last

    @functools.cache
    def choose(day: dt.date) -> DatedRelease | None:
        choice = choose_for_date(day, effective.items())
        if choice is None:
            return None
        return DatedRelease(files[choice.name], choice.flag, choice.note)

    return choose


def for_date(day: dt.date, *, qp: bool = False, cached: bool = False) -> DatedRelease | None:
    """The loaded release to price a service on `day` with (choose_for_date's rule); its QP file
    when asked and there is one. None before any import. `cached`: as for dated_chooser."""
    return dated_chooser(qp=qp, cached=cached)(day)


def _loaded_releases(cached: bool) -> list[Release]:
    """Release.objects.loaded(), newest first: from the page state every page reads (kept until
    the next change to a release: codes.cache) when `cached` and it holds one, else read."""
    if cached:
        state, _generation = codes_cache.page_state_get()
        if state is not None:
            return list(state.loaded)
    return list(Release.objects.loaded().defer("change_summary"))


def as_chosen(release: Release, day: dt.date, dated: DatedRelease | None) -> DatedRelease:
    """`release`, chosen by a person (re-pricing), for a service on `day` whose own release is
    `dated` (for_date's): the date's flag when it is that release, else flagged CHOSEN."""
    if dated is None or dated.release.name == release.name:
        return DatedRelease(release, dated.flag, dated.note) if dated else DatedRelease(release)
    return DatedRelease(
        release,
        Flag.CHOSEN,
        f"Priced with {release.name}, chosen in place of {dated.release.name} (the release for "
        f"{day.isoformat()}).",
    )
