"""Celery tasks for the NCCI edits. Thin: the work is in ncci.refresh and ncci.services."""

from __future__ import annotations

from celery import shared_task

from . import jobs, refresh

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


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=SOFT_TIME_LIMIT + 60,
)
def import_edit_files(token: str, source: str) -> dict:
    """Import the files staff uploaded in the admin (a folder under settings.NCCI_UPLOAD_DIR)
    or the URL they gave; the job's state is in the cache for the admin (ncci.jobs). Safe to
    run twice: a finished job is left alone and the same files import once."""
    return jobs.job_run(token, source)
