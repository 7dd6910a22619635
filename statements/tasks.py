"""Celery tasks of statements: thin, taking ids, safe to run twice (tracking.jobs)."""

from celery import shared_task

from tracking.tasks import JOB_OPTIONS


@shared_task(**JOB_OPTIONS)
def run_statement_job(job_pk: int) -> dict:
    """Reconcile a large statement (its columns and period were chosen by the user)."""
    # Imported here, as tracking's tasks do: the service module queues this task.
    from statements.services import statement_reconcile  # noqa: PLC0415 (the cycle above)

    statement = statement_reconcile(job_pk=job_pk)
    return {"statement": statement.pk, "status": statement.status}
