"""Celery tasks for the fee schedule. Thin: the work is in codes.refresh and codes.services.

Both tasks acknowledge late, so a message whose worker dies is delivered again, and both are
safe to run twice: the importer skips a file it has imported (same SHA-256), takes a lock per
release and reclaims a release left "loading" by a dead worker; the refresh holds a lock of its
own, so a second refresh returns at once. warm_code_pages renders what a new data version
lacks (codes.pages); a run that dies leaves the rest to the next.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from celery import shared_task
from django.core.cache import cache

from codes import pages, refresh
from codes.services import ImportInProgress, release_import

logger = logging.getLogger(__name__)

# A full release imports in seconds; these only stop a stuck worker (prefork pool).
SOFT_TIME_LIMIT = 30 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 60


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def refresh_fee_schedules(self) -> dict:
    """Daily: import the releases on the CMS page (settings.CMS_PFS_PAGE_URL) that are newer
    than the imported ones, and make the newest current. Returns what it did."""
    result = refresh.refresh_fee_schedules()
    if result.failed:
        # Raise so the failure shows in the worker log and monitoring; the next run retries.
        raise refresh.RefreshError(result.message)
    return result.as_dict()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ImportInProgress,),
    retry_backoff=30,
    max_retries=5,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def import_release_task(self, source: str, name: str | None = None, make_current: bool = False):
    """Import one release from a path on the worker or an http(s) URL (downloaded first).

    The importer reports progress (rows loaded / total) for the admin's release page: in the
    cache while it loads, on the release row when done. When another process is importing the
    same release the task retries later; by then the release is imported and the retry does
    nothing.
    """
    if urlsplit(str(source)).scheme in ("http", "https"):
        with refresh.downloaded(str(source)) as path:
            outcome = release_import(
                source=path, name=name, make_current=make_current, source_url=str(source)
            )
    else:
        outcome = release_import(source=Path(source), name=name, make_current=make_current)
    logger.info("import_release_task(%s): %s", source, outcome.message)
    return {
        "release": getattr(outcome.release, "name", None),
        "imported": outcome.imported,
        "message": outcome.message,
    }


WARM_LOCK_KEY = "codes:warming"
WARM_SECONDS = 20 * 60  # one run's share; the next run (beat: every 5 minutes) goes on


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=WARM_SECONDS + 120)
def warm_code_pages() -> dict:
    """Every few minutes (beat): render the code pages the current data version lacks
    (codes.pages.warm), one run at a time."""
    if not cache.add(WARM_LOCK_KEY, 1, WARM_SECONDS + 180):
        return {"skipped": "another run is warming"}
    try:
        warmed = pages.warm(max_seconds=WARM_SECONDS)
    finally:
        cache.delete(WARM_LOCK_KEY)
    if warmed.rendered:
        logger.info("warm_code_pages: %s", warmed.as_dict())
    return warmed.as_dict()
