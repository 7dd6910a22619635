"""Celery tasks of the procedure log: thin, taking ids, safe to run twice.

Both jobs rely on late acknowledgement: a message is acknowledged when its task returns, and
requeued at once when the pool process running it dies (reject_on_worker_lost), so the
redelivered task finds the dead run and retries it (tracking.jobs). The time limit bounds a run
that hangs: its pool process is killed, and the job page then says it stopped. It is far above
what the largest allowed file takes: a 12 MB backup of 20,000 entries restores in about 25 s and
a 20,000-row file imports in about 30 s, so a 200 MB backup takes minutes.
"""

from celery import shared_task

from tracking.submissions import submissions_purge

JOB_TIME_LIMIT = 2 * 60 * 60
JOB_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "time_limit": JOB_TIME_LIMIT}


@shared_task(**JOB_OPTIONS)
def run_import_job(job_pk: int) -> dict:
    """Import a large file's rows (the job was previewed and queued by the user)."""
    # Imported here, the pattern for tasks: the service module queues this task, so importing
    # it at the top would be a cycle (tracking.portability.imports -> tracking.tasks).
    from tracking.portability.imports import import_job_run  # noqa: PLC0415 (the cycle above)

    job = import_job_run(job_pk=job_pk)
    return {"job": job.pk, "status": job.status, "imported": job.rows_imported}


@shared_task(**JOB_OPTIONS)
def run_restore_job(job_pk: int) -> dict:
    """Restore an uploaded backup (the job was checked and queued when it was uploaded)."""
    from tracking.portability.backup import restore_job_run  # noqa: PLC0415 (as above)

    job = restore_job_run(job_pk=job_pk)
    return {"job": job.pk, "status": job.status, "restored": job.rows_done}


@shared_task
def purge_submission_keys() -> int:
    """Delete the form tokens and Idempotency-Keys kept longer than a day (daily, from beat)."""
    return submissions_purge()
