"""An import and a restore through a real Celery worker killed with SIGKILL in the middle of
writing (issue 13):

- its pool process killed: the worker requeues the message (acks_late, reject_on_worker_lost) and
  a new pool process retries the job, which finishes;
- the whole worker killed: nothing redelivers the message for an hour, so the job page says the
  job stopped; "Run again" finishes it on another worker, and the killed run's message, when the
  broker redelivers it, changes nothing.

Either way no entry is lost or duplicated.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from codes.wrvu import LineSpec
from rvuedge.celery import app
from tests.tracking.test_import import csv_bytes, mapped, run, uploaded
from tests.tracking.workers import WorkerProcess, forget_queue, redeliver_unacked, wait_for
from tracking import services
from tracking.models import Encounter, ImportJob, ProcedureLog, RestoreJob
from tracking.portability import backup, imports

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ENTRIES = 6_000
CODES = ["99213", "99214", "20610", "27447", "47562", "19303", "45380"]


def entries(user) -> Counter:
    """The user's entries as a multiset, so a lost or doubled one shows."""
    return Counter(
        ProcedureLog.objects.filter(user=user).values_list(
            "date", "code__code", "modifiers", "units", "setting", "location__name"
        )
    )


def day(n) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1 + n)


@dataclass
class Kind:
    model: type
    progress: str
    again: str


KINDS = {
    "import": Kind(ImportJob, "tracking:import_progress", "tracking:import_again"),
    "restore": Kind(RestoreJob, "tracking:restore_progress", "tracking:restore_again"),
}


def start_import(client, user, release) -> tuple[ImportJob, Counter]:
    """A file of ENTRIES rows, previewed and queued (a task on the queue): its entries expected."""
    rows = [
        [day(i // 6).isoformat(), CODES[i % len(CODES)], "", "1", "", f"Site {i % 3}", "", ""]
        for i in range(ENTRIES)
    ]
    job = mapped(client, uploaded(client, user, csv_bytes(rows)))
    assert job.rows_total > imports.async_threshold()
    expected = Counter(
        (day(i // 6), CODES[i % len(CODES)], "", 1, "facility", f"Site {i % 3}")
        for i in range(ENTRIES)
    )
    return run(client, job), expected


def start_restore(client, user, release) -> tuple[RestoreJob, Counter]:
    """Another account's backup of ENTRIES entries, uploaded and queued: its entries expected."""
    from tests.factories import UserFactory

    source = UserFactory()
    services.encounters_bulk_create(
        user=source,
        encounters=[
            (
                services.EntryDetails(date=day(n), setting="facility"),
                [services.BulkLine(spec=LineSpec(code)) for code in CODES[n % 3 : n % 3 + 3]],
            )
            for n in range(ENTRIES // 3)
        ],
        release=release,
    )
    body = json.dumps(backup.backup_build(source)).encode()
    assert len(body) > backup.restore_async_bytes()
    client.force_login(user)
    handle = io.BytesIO(body)
    handle.name = "backup.json"
    response = client.post(reverse("tracking:restore"), {"file": handle})
    assert response.status_code == 302
    return RestoreJob.objects.get(user=user), entries(source)


START = {"import": start_import, "restore": start_restore}


def finished(kind: Kind, job):
    def check():
        found = kind.model.objects.defer("data").get(pk=job.pk)
        return found if found.is_finished or found.can_run_again else None

    return check


def page_says_stopped(client, kind: Kind, job):
    def check():
        html = client.get(reverse(kind.progress, args=[job.pk])).content.decode()
        return html if "stopped before it finished" in html else None

    return check


@pytest.fixture
def broker():
    """An empty default queue, left empty (a killed worker's message included)."""
    app.control.purge()
    forget_queue()
    yield
    forget_queue()


@pytest.mark.parametrize("name", ["import", "restore"])
def test_a_job_whose_pool_process_is_killed_is_retried_and_finishes_once(
    broker, client, attending, release, tmp_path, name
):
    kind = KINDS[name]
    worker = WorkerProcess(tmp_path / "worker.log", pool="prefork")
    try:
        job, expected = START[name](client, attending, release)
        wait_for(
            lambda: worker.progress(job) > 0,
            timeout=120,
            what=f"the worker to be writing the {name}'s entries",
            log=worker.log,
            interval=0.02,
        )
        (pool_process,) = worker.pool_children()
        worker.kill(pool_process)
        assert not entries(attending)  # the run's writes died with it

        job = wait_for(finished(kind, job), timeout=180, what="the retry", log=worker.log)
    finally:
        worker.stop()

    assert (job.status, job.attempts) == ("done", 2), (job.message, worker.log.read_text())
    assert job.message.endswith("It took 2 runs: the worker of an earlier one stopped.")
    assert "WorkerLostError" in worker.log.read_text()
    assert entries(attending) == expected
    assert bytes(kind.model.objects.get(pk=job.pk).data) == b""


@pytest.mark.parametrize("name", ["import", "restore"])
def test_a_job_whose_worker_is_killed_says_it_stopped_and_run_again_finishes_it_once(
    broker, client, attending, release, tmp_path, name
):
    kind = KINDS[name]
    worker = WorkerProcess(tmp_path / "worker.log")
    try:
        job, expected = START[name](client, attending, release)
        wait_for(
            lambda: worker.progress(job) > 0,
            timeout=120,
            what=f"the worker to be writing the {name}'s entries",
            log=worker.log,
            interval=0.02,
        )
        worker.kill()
    finally:
        worker.stop()

    html = wait_for(page_says_stopped(client, kind, job), timeout=30, what="the page to say so")
    assert f"{kind.model.nothing_done}: the {name} stopped before it finished" in html
    assert "Run again" in html and "hx-get" not in html
    assert not entries(attending)
    assert Encounter.objects.filter(user=attending).count() == 0

    second = WorkerProcess(tmp_path / "second.log")
    try:
        assert client.post(reverse(kind.again, args=[job.pk])).status_code == 302
        job = wait_for(finished(kind, job), timeout=180, what="Run again", log=second.log)
        assert (job.status, job.attempts) == ("done", 1), job.message
        assert entries(attending) == expected

        # The killed run's message, redelivered as the broker does after its visibility timeout.
        redeliver_unacked()
        wait_for(
            lambda: second.log.read_text().count(" succeeded in ") == 2,
            timeout=60,
            what="the redelivered task",
            log=second.log,
        )
    finally:
        second.stop()

    assert entries(attending) == expected
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
