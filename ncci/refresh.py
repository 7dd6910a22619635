"""Find new quarters of the NCCI edits on CMS's pages and import them.

Plain functions, no Celery: ncci.tasks wraps them. Each kind has its page
(settings.NCCI_PAGE_URLS); its zips are found by the names CMS gives them
(mcr-mue-practitionerservices-eff-07-01-2026.zip, aoc-v2026q3-mcr.zip, ccipra-v323r0-f1.zip to
f4), never built. A kind's newest quarter on its page is imported when it is newer than the
newest imported set of that kind; PTP edits only when all four parts are linked.
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings

from rvuedge import locks
from rvuedge.downloads import DownloadError, download, fetch_text, page_links

from . import files, services
from .models import EditSet

logger = logging.getLogger(__name__)


@dataclass
class RefreshResult:
    imported: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"imported": self.imported, "up_to_date": self.up_to_date, "failed": self.failed}


def _file_name(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).name


def newest_links(html: str, page_url: str, kind: str) -> tuple[files.Identity, list[str]] | None:
    """The newest quarter of `kind` linked from a page and its zip URLs (the parts, for PTP)."""
    quarters: dict[tuple, dict[int, str]] = defaultdict(dict)
    for url in page_links(html, page_url):
        identity = files.identify(_file_name(url))
        if identity and identity.kind == kind and _file_name(url).lower().endswith(".zip"):
            key = (identity.effective_on, identity.version)
            quarters[key].setdefault(identity.part, url)
    for key in sorted(quarters, reverse=True):
        parts = quarters[key]
        if kind != files.PTP or sorted(parts) == list(range(1, services.PTP_PARTS + 1)):
            identity = files.identify(_file_name(parts[min(parts)]))
            return identity, [parts[p] for p in sorted(parts)]
    return None


def refresh_edits() -> RefreshResult:
    """Import each kind's newest quarter from its page when it is newer than ours."""
    result = RefreshResult()
    with locks.try_lock("ncci:refresh") as acquired:
        if not acquired:
            result.up_to_date.append("another refresh is running")
            return result
        for kind, page_url in settings.NCCI_PAGE_URLS.items():
            try:
                _refresh_kind(kind, page_url, result)
            except (DownloadError, services.EditImportError) as exc:
                logger.warning("NCCI refresh of %s failed: %s", kind, exc)
                result.failed.append(f"{files.KIND_LABELS[kind]}: {exc}")
    return result


def _refresh_kind(kind: str, page_url: str, result: RefreshResult) -> None:
    found = newest_links(fetch_text(page_url), page_url, kind)
    label = files.KIND_LABELS[kind]
    if found is None:
        result.failed.append(f"{label}: no edit file linked from {page_url}")
        return
    identity, urls = found
    newest = EditSet.objects.filter(kind=kind).order_by("-effective_on").first()
    if newest and newest.effective_on >= identity.effective_on:
        result.up_to_date.append(f"{label} {newest.version}")
        return
    with tempfile.TemporaryDirectory(prefix="rvuedge-ncci-") as folder:
        for url in urls:
            download(url, Path(folder) / _file_name(url))
        source_url = urls[0] if len(urls) == 1 else page_url
        for outcome in services.edits_import(source=folder, source_url=source_url):
            # Files CMS published again under a new quarter's name are the set we have.
            found = result.imported if outcome.imported else result.up_to_date
            found.append(str(outcome.edit_set))
