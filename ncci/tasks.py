"""Celery tasks for the NCCI edits. Thin: the work is in ncci.refresh and ncci.services."""

from __future__ import annotations

from celery import shared_task

from . import refresh

SOFT_TIME_LIMIT = 30 * 60


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=SOFT_TIME_LIMIT + 60,
)
def refresh_ncci_edits() -> dict:
    """Daily: import the newest quarter of each kind of edit from CMS's pages
    (settings.NCCI_PAGE_URLS) when it is newer than ours. Safe to run twice: the same files
    import once and a second refresh returns at once."""
    result = refresh.refresh_edits()
    if result.failed:
        raise RuntimeError("; ".join(result.failed))
    return result.as_dict()
