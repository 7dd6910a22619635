"""Celery tasks of the procedure log: thin, taking ids, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def run_import_job(job_pk: int) -> dict:
    """Import a large file's rows (the job was previewed and queued by the user)."""
    from tracking.portability.imports import import_job_run

    job = import_job_run(job_pk=job_pk)
    return {"job": job.pk, "status": job.status, "imported": job.rows_imported}
