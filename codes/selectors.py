"""Read-side queries for the fee schedule."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet

from .models import Locality, Release
from .services import CURRENT_RELEASE_CACHE_KEY, PROGRESS_CACHE_KEY

CACHE_SECONDS = 3600
_NONE = ""  # cached for "no current release" so that state is cached too


def current_release(*, qp: bool = False) -> Release | None:
    """The release pages price from (the non-QP one unless asked), or None before any import."""
    return Release.objects.current(qp=qp)


def current_release_name() -> str | None:
    """Name of the current release (e.g. "RVU26C"), or None before any import.

    Every page shows it, so it is cached; codes.services.release_make_current clears the cache
    when the current release changes.
    """
    name = cache.get(CURRENT_RELEASE_CACHE_KEY)
    if name is None:
        release = current_release()
        name = release.name if release else _NONE
        cache.set(CURRENT_RELEASE_CACHE_KEY, name, CACHE_SECONDS)
    return name or None


@dataclass(frozen=True)
class LocalitySet:
    """The localities to price a release with, and where they come from."""

    release: Release
    source: Release | None  # the release whose GPCI file they come from; None when there is none
    localities: QuerySet[Locality]

    @property
    def borrowed(self) -> bool:
        return self.source is not None and self.source.pk != self.release.pk

    @property
    def note(self) -> str:
        if self.source is None:
            return "No GPCI file has been imported; only national amounts can be shown."
        if self.borrowed:
            return (
                f"{self.release} has no GPCI file of its own; localities are borrowed from "
                f"{self.source}."
            )
        return ""


def localities_for_release(release: Release) -> LocalitySet:
    """The release's own localities, or else those of the newest release that has a GPCI file.

    The newest release not newer than `release` is preferred (an old release is priced with the
    indices of its time); when there is none, the newest of all.
    """
    if release.locality_count or release.localities.exists():
        return LocalitySet(release, release, release.localities.all())
    with_gpci = Release.objects.loaded().filter(locality_count__gt=0)
    candidates = list(with_gpci)
    older = [r for r in candidates if r.sort_key() <= release.sort_key()]
    source = (older or candidates or [None])[0]
    localities = source.localities.all() if source else Locality.objects.none()
    return LocalitySet(release, source, localities)


def release_progress(release: Release) -> tuple[int, int]:
    """Rows loaded and rows to load: live from the cache while an import runs."""
    if release.status == Release.Status.LOADING:
        live = cache.get(PROGRESS_CACHE_KEY.format(pk=release.pk))
        if live:
            return live
    return release.rows_loaded, release.rows_total
