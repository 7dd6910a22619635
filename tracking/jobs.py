"""Background jobs of the procedure log (an import, a restore) and of apps built on it (a
statement's reconciliation): one mechanism to claim a job, report its progress, finish it, and
notice a run whose worker died.

A job goes queued -> running -> done | failed. Its runner holds a lock named after the job from
before it claims the job until the outcome is committed, and the outcome (status, message, the
uploaded file deleted) is committed in the same transaction as the rows the job writes. So:

- Two runs never overlap (a task delivered twice, a redelivery racing "Run again"): the second
  finds the lock taken or the job no longer queued; and a run can only finish the claim it made.
- "Running, and nobody holds its lock" means the run's worker died. On PostgreSQL the lock is a
  session advisory lock (rvuedge.locks.try_lock), which the server drops the moment the worker's
  connection goes (a pool process killed, out of memory, a deploy), rolling back the run's
  transaction with it: nothing of that run exists. This is exact and immediate. A heartbeat
  timestamp would need a staleness window (too short and a slow batch is taken over while alive,
  too long and the page says "Importing 0 of 20000" for that long), and could not be written
  from inside the run's all-or-nothing transaction anyway. A run that hangs is bounded by the
  tasks' time limit (tracking.tasks), after which its worker is killed and the same applies. (A
  worker's host that vanishes without closing its connections is noticed when PostgreSQL's TCP
  keepalive gives up on them: set tcp_keepalives_idle on the server to bound that.) Elsewhere
  (SQLite, tasks in-process: the embedded default) the lock is one inside the process.

A dead run is retried when its task message is redelivered (acks_late, and reject_on_worker_lost
requeues the message at once when a pool process dies), up to MAX_ATTEMPTS runs; a job page
that finds it dead marks it stopped with a message, and "Run again" queues it again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rvuedge.locks import try_lock
from tracking.models import BackgroundJob

MAX_ATTEMPTS = 3
LOCK_WAIT = 10  # seconds
PROGRESS_TIMEOUT = 3600
STOPPED = (
    "the {noun} stopped before it finished, because the process running it was stopped (a "
    "restart, or out of memory). Run again to try once more."
)
GAVE_UP = (
    "the {noun} stopped {attempts} times before it finished, because the process running it "
    "was stopped each time (a restart, or out of memory). Run again to try once more."
)


@dataclass
class Outcome:
    """How a run ended: the job's new status and message, and other fields to set."""

    status: str
    message: str
    fields: dict = field(default_factory=dict)


class Superseded(Exception):
    """The job is no longer this run's to finish (another run finished or took it over)."""


def lock_key(model: type[BackgroundJob], pk: int) -> str:
    return f"tracking.job:{model._meta.label_lower}:{pk}"


def progress_key(model: type[BackgroundJob], pk: int) -> str:
    return f"tracking:{model._meta.model_name}:{pk}:done"


def progress_set(job: BackgroundJob, done: int) -> None:
    """The running job's progress, where the page can read it: its own writes are not visible
    to other connections until its transaction commits."""
    cache.set(progress_key(type(job), job.pk), done, timeout=PROGRESS_TIMEOUT)


def job_progress(job: BackgroundJob) -> int:
    """Rows done so far: the running task's figure from the cache, else the job's."""
    if job.status == job.Status.RUNNING:
        done = cache.get(progress_key(type(job), job.pk)) or 0
        return min(job.rows_total, max(job.rows_done, done))
    return job.rows_done


def _mine(job: BackgroundJob):
    """The job's row as long as it is still this run's claim."""
    return type(job).objects.filter(pk=job.pk, status=job.Status.RUNNING, started_at=job.started_at)


def job_update(job: BackgroundJob, **fields) -> None:
    """Commit fields of the running job (say rows_total once the file is read) outside the run's
    transaction; Superseded if the claim is no longer this run's."""
    if not _mine(job).update(**fields):
        raise Superseded
    for name, value in fields.items():
        setattr(job, name, value)


def job_run(
    model: type[BackgroundJob],
    pk: int,
    *,
    prepare: Callable[[BackgroundJob], object],
    write: Callable[[BackgroundJob, object], Outcome],
) -> BackgroundJob:
    """Claim a queued job (or take over a run whose worker died) and run it: `prepare(job)` reads
    and checks (it may return an Outcome to finish without writing), then `write(job, plan)`
    writes in one transaction with the outcome. A ValidationError from either fails the job with
    its messages. Safe to run twice: a job that is running elsewhere, or not queued, is left as
    it is. Returns the job as it stands.

    A lock found taken is waited for a few seconds (LOCK_WAIT) while the job is queued or
    running: a task redelivered because its pool process died may start before the database has
    noticed the dead connection (it does at the end of the statement it was running)."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        with try_lock(lock_key(model, pk)) as free:
            if free:
                return _run_locked(model, pk, prepare, write)
        found = model.objects.defer("data").get(pk=pk)
        if not found.is_active or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _run_locked(model, pk, prepare, write) -> BackgroundJob:
    job = _claim(model, pk)
    if job is None:
        return model.objects.defer("data").get(pk=pk)
    try:
        _attempt(job, prepare, write)
    except Superseded:
        return model.objects.defer("data").get(pk=pk)
    except Exception:
        with contextlib.suppress(Superseded):
            message = f"{job.nothing_done}: the {job.noun} failed unexpectedly."
            _finish(job, Outcome(job.Status.FAILED, message))
        raise
    finally:
        cache.delete(progress_key(model, pk))
    return job


def _attempt(job: BackgroundJob, prepare, write) -> None:
    try:
        plan = prepare(job)
        with transaction.atomic():
            _finish(job, plan if isinstance(plan, Outcome) else write(job, plan))
    except ValidationError as exc:
        _finish(job, Outcome(job.Status.FAILED, f"{job.nothing_done}: {_text(exc)}"))


def _text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _claim(model: type[BackgroundJob], pk: int) -> BackgroundJob | None:
    """Queued -> running, with this run's start time as its claim. Called holding the job's
    lock, so a job found running has no live worker: it is taken over, unless it has been tried
    MAX_ATTEMPTS times already, when it is stopped."""
    status = model.Status
    found = model.objects.filter(pk=pk).values("status", "attempts", "started_at").first()
    if found is None or found["status"] not in (status.QUEUED, status.RUNNING):
        return None
    same = model.objects.filter(pk=pk, status=found["status"], started_at=found["started_at"])
    if found["status"] == status.RUNNING and found["attempts"] >= MAX_ATTEMPTS:
        noun = model.noun
        message = GAVE_UP.format(noun=noun, attempts=found["attempts"])
        same.update(
            status=status.STOPPED,
            message=f"{model.nothing_done}: {message}",
            finished_at=timezone.now(),
        )
        return None
    if not same.update(
        status=status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, rows_done=0
    ):
        return None
    return model.objects.get(pk=pk)


def _finish(job: BackgroundJob, outcome: Outcome) -> None:
    """Set the outcome if the job is still this run's claim (else Superseded, rolling back the
    run's writes when inside its transaction). A finished job's file is deleted: it may hold
    data nobody asked to keep."""
    fields = {
        "status": outcome.status,
        "message": outcome.message[:500],
        "finished_at": timezone.now(),
        **outcome.fields,
    }
    if outcome.status in (job.Status.DONE, job.Status.FAILED):
        fields["data"] = b""
    job_update(job, **fields)


def job_check(job: BackgroundJob) -> BackgroundJob:
    """For the job pages: a job marked running whose worker died is marked stopped, with a
    message saying so. Returns the job as it stands (its file left deferred)."""
    if job.status != job.Status.RUNNING:
        return job
    model = type(job)
    with try_lock(lock_key(model, job.pk)) as free:
        if free:  # nobody runs it
            model.objects.filter(
                pk=job.pk, status=job.Status.RUNNING, started_at=job.started_at
            ).update(
                status=job.Status.STOPPED,
                message=f"{job.nothing_done}: {STOPPED.format(noun=job.noun)}",
                finished_at=timezone.now(),
            )
    job.refresh_from_db(fields=["status", "message", "attempts", "started_at", "finished_at"])
    return job


def job_requeue(job: BackgroundJob) -> None:
    """For "Run again": a stopped job (its worker died, its file kept) is queued again, with a
    fresh count of attempts. ValidationError if it is not stopped (say, another click queued it)."""
    job = job_check(job)
    model = type(job)
    with try_lock(lock_key(model, job.pk)) as free:
        requeued = free and model.objects.filter(pk=job.pk, status=job.Status.STOPPED).update(
            status=job.Status.QUEUED, attempts=0, message="", finished_at=None, rows_done=0
        )
    job.refresh_from_db(fields=["status", "message", "attempts", "finished_at", "rows_done"])
    if not requeued:
        raise ValidationError(f"This {job.noun} has not stopped: there is nothing to run again.")


def job_dispatch(job: BackgroundJob, *, task, run: Callable[..., BackgroundJob], background: bool):
    """Run a queued job now, or queue its task (once the transaction that queued it commits);
    where tasks run in-process (the embedded default) the task runs here too."""
    if background:
        transaction.on_commit(lambda: task.delay(job.pk))
        return job
    return run(job_pk=job.pk)
