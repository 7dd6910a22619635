"""Celery tasks of the procedure log: thin, taking ids, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def run_import_job(job_pk: int) -> dict:
    """Import a large file's rows (the job was previewed and queued by the user)."""
    # Imported here, the pattern for tasks: the service module queues this task, so importing
    # it at the top would be a cycle (tracking.portability.imports -> tracking.tasks).
    from tracking.portability.imports import import_job_run

    job = import_job_run(job_pk=job_pk)
    return {"job": job.pk, "status": job.status, "imported": job.rows_imported}
