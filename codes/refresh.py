"""Find new CMS fee schedule releases on the web and import them.

Plain functions, no Celery: codes.tasks wraps them, and they can be called from a shell.

CMS publishes each quarterly release as a zip linked from its "PFS Relative Value Files" page
(settings.CMS_PFS_PAGE_URL). The file names carry the release (rvu26c.zip is RVU26C) followed by
a suffix nobody can predict (rvu26c-updated-06-30-2026.zip), so links are read from the page,
never built. An entry that links to a page about its release rather than to the zip is followed
to that page when the release is wanted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings

from rvuedge import locks
from rvuedge.downloads import (  # noqa: F401  (download and the errors are part of this module's API)
    DownloadError,
    DownloadTooLarge,
    download,
    downloaded,
    fetch_text,
    page_links,
)

from . import releases
from .models import Release
from .services import FeeScheduleImportError, ImportInProgress, release_import

logger = logging.getLogger(__name__)

# rvu26c.zip, RVU25D.zip, rvu26c-updated-06-30-2026.zip, rvu24ar.zip (the revised January 2024
# release, its own conversion factor). The release letter must be followed by the end of the
# name or a separator, so "rvu26abc.zip" is not read as RVU26A.
_RELEASE_ZIP = re.compile(
    r"^rvu(?P<yy>\d{2})(?P<quarter>[a-d])(?P<revised>r?)(?:[-_.\s].*)?\.zip$", re.I
)
# A page about one release: .../pfs-relative-value-files/rvu26c (no extension).
_RELEASE_PAGE = re.compile(r"^rvu(?P<yy>\d{2})(?P<quarter>[a-d])(?P<revised>r?)(?:[-_].*)?$", re.I)
# CMS dates corrected uploads in the name: -updated-06-30-2026. A later date wins.
_UPDATED_ON = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


class RefreshError(Exception):
    """The refresh could not do its job; the message says what and where."""


@dataclass(frozen=True, order=True)
class ReleaseLink:
    """A release zip found on the CMS page. Sorts oldest first."""

    year: int
    quarter: str  # "A" to "D"
    revised: bool  # RVU24AR came after RVU24A
    updated_on: tuple[int, int, int]  # from -updated-MM-DD-YYYY, else (0, 0, 0)
    url: str = field(compare=False)

    @property
    def name(self) -> str:
        return f"RVU{self.year % 100:02d}{self.quarter}{'R' if self.revised else ''}"

    @property
    def filename(self) -> str:
        return PurePosixPath(unquote(urlsplit(self.url).path)).name

    @property
    def release_key(self) -> tuple[int, str, bool]:
        return (self.year, self.quarter, self.revised)


def _last_segment(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).name


def _release_link(url: str) -> ReleaseLink | None:
    match = _RELEASE_ZIP.match(_last_segment(url))
    if not match:
        return None
    updated = _UPDATED_ON.search(_last_segment(url)[match.end("revised") :])
    return ReleaseLink(
        year=2000 + int(match["yy"]),
        quarter=match["quarter"].upper(),
        revised=bool(match["revised"]),
        updated_on=(int(updated[3]), int(updated[1]), int(updated[2])) if updated else (0, 0, 0),
        url=url,
    )


def parse_release_links(html: str, page_url: str) -> list[ReleaseLink]:
    """The release zips linked from a CMS page, one per release (the latest upload), oldest first.

    Relative links are resolved against the page (or its <base>); other zips (RVU quarterly
    updates of other fee schedules, readme files) are ignored.
    """
    by_release: dict[tuple, ReleaseLink] = {}
    for url in page_links(html, page_url):
        link = _release_link(url)
        if link is None:
            continue
        known = by_release.get(link.release_key)
        # Same release linked twice: keep the later dated upload, else the first on the page.
        if known is None or link.updated_on > known.updated_on:
            by_release[link.release_key] = link
    return sorted(by_release.values())


def parse_release_pages(html: str, page_url: str) -> dict[str, str]:
    """Links to pages about one release (.../rvu25d), by release name, for releases whose zip
    is not linked from the index itself."""
    pages: dict[str, str] = {}
    for url in page_links(html, page_url):
        segment = _last_segment(url)
        match = _RELEASE_PAGE.match(segment)
        if match and "." not in segment:
            name = f"RVU{match['yy']}{match['quarter'].upper()}{'R' if match['revised'] else ''}"
            pages.setdefault(name, url)
    return pages


def find_release_links(
    page_url: str | None = None, *, newer_than: tuple | None = None, **kwargs
) -> list[ReleaseLink]:
    """Release zips linked from the CMS page (settings.CMS_PFS_PAGE_URL), oldest first.

    A release listed only as a page of its own is looked up on that page when it is newer than
    newer_than (a release_key), so years of history cost one request, not dozens. Without
    newer_than (a site with no release yet) only the newest release is looked for.
    """
    page_url = page_url or settings.CMS_PFS_PAGE_URL
    html = fetch_text(page_url, **kwargs)
    links = {link.release_key: link for link in parse_release_links(html, page_url)}
    floor = newer_than if newer_than is not None else max(links, default=None)
    pages = [
        (key, name, url)
        for name, url in parse_release_pages(html, page_url).items()
        if (key := release_key(name)) not in links and (floor is None or key > floor)
    ]
    for key, name, url in sorted(pages, reverse=True):
        if newer_than is None and key < max(links, default=key):
            break  # looking for the newest release only, and it has been found
        try:
            for link in parse_release_links(fetch_text(url, **kwargs), url):
                if link.release_key == key:
                    links.setdefault(key, link)
        except DownloadError as exc:
            logger.warning("Could not read the page of %s: %s", name, exc)
    if not links:
        raise RefreshError(
            f"No release zip (rvuYYx...zip) is linked from {page_url}; has the page moved? "
            "Set CMS_PFS_PAGE_URL to the page that lists the PFS relative value files."
        )
    return sorted(links.values())


def newest(links: Iterable[ReleaseLink]) -> ReleaseLink | None:
    return max(links, default=None)


# Refresh --------------------------------------------------------------------------------------

_RELEASE_NAME = re.compile(r"^RVU(?P<yy>\d{2})(?P<quarter>[A-D])(?P<revised>R?)", re.I)


def release_key(name: str) -> tuple[int, str, bool] | None:
    """Sort key of a release name (RVU26C -> (2026, "C", False)), None for other names."""
    match = _RELEASE_NAME.match(name or "")
    if not match:
        return None
    return (2000 + int(match["yy"]), match["quarter"].upper(), bool(match["revised"]))


@dataclass
class RefreshResult:
    """What one refresh did, in words a person reads in the worker log or the task result."""

    found: list[str] = field(default_factory=list)  # release names linked from the page
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # downloaded, same SHA-256 as before
    busy: list[str] = field(default_factory=list)  # another process was importing it
    failed: dict[str, str] = field(default_factory=dict)  # name -> why
    current: str | None = None
    skipped_run: bool = False  # another refresh held the lock

    @property
    def message(self) -> str:
        if self.skipped_run:
            return "Another refresh is running; nothing done."
        parts = [f"Found {len(self.found)} release(s) on the CMS page."]
        if self.imported:
            parts.append(f"Imported {', '.join(self.imported)}.")
        if not (self.imported or self.unchanged or self.busy or self.failed):
            parts.append("Nothing new to import.")
        if self.unchanged:
            parts.append(f"Already imported (same file): {', '.join(self.unchanged)}.")
        if self.busy:
            parts.append(f"Being imported by another process: {', '.join(self.busy)}.")
        for name, why in self.failed.items():
            parts.append(f"{name} failed: {why}")
        if self.current:
            parts.append(f"Current release: {self.current}.")
        return " ".join(parts)

    def as_dict(self) -> dict:
        return {
            "found": self.found,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "busy": self.busy,
            "failed": self.failed,
            "current": self.current,
            "message": self.message,
        }


REFRESH_LOCK = "codes.refresh"


def _imported_release_names() -> set[str]:
    """Names of the releases imported to the end (ready or current). A release still "loading"
    (its worker was killed) or "failed" is not among them, so the refresh tries it again."""
    return set(Release.objects.loaded().values_list("name", flat=True))


def release_link_import(link: ReleaseLink, *, make_current: bool, **download_kwargs):
    """Download one release zip and import it; returns the importer's ImportOutcome."""
    with downloaded(link.url, **download_kwargs) as path:
        return release_import(
            source=path, name=link.name, make_current=make_current, source_url=link.url
        )


def refresh_fee_schedules(*, page_url: str | None = None, **download_kwargs) -> RefreshResult:
    """Import the releases on the CMS page that are newer than every imported release, oldest
    first, each made current in turn, so the newest ends up current.

    A site with no release yet starts from the newest one on the page; older history is loaded
    deliberately with `import_fee_schedule`. A release whose import died half way ("loading")
    or failed is tried again. Only one refresh runs at a time (the others return at once), and
    the importer's own lock keeps a concurrent `import_fee_schedule` off the same release.
    """
    result = RefreshResult()
    with locks.try_lock(REFRESH_LOCK) as acquired:
        if not acquired:
            result.skipped_run = True
            logger.info(result.message)
            return result

        imported = _imported_release_names()
        newest_imported = max(filter(None, map(release_key, imported)), default=None)

        links = find_release_links(page_url, newer_than=newest_imported, **download_kwargs)
        result.found = [link.name for link in links]
        if newest_imported is None:
            todo = links[-1:]
        else:
            todo = [link for link in links if link.release_key > newest_imported]
        for link in todo:
            try:
                outcome = release_link_import(link, make_current=True, **download_kwargs)
            except ImportInProgress:
                result.busy.append(link.name)
            except (RefreshError, DownloadError, FeeScheduleImportError) as exc:
                result.failed[link.name] = str(exc)
                logger.error("Refresh of %s from %s failed: %s", link.name, link.url, exc)
            else:
                (result.imported if outcome.imported else result.unchanged).append(link.name)
        current = releases.current()
        result.current = current.name if current else None
    logger.info(result.message)
    return result
