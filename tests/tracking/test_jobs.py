"""The job mechanism imports and restores share (tracking.jobs): one run at a time, a run's outcome
committed with its rows, a dead worker's job noticed at once, retried on redelivery or stopped
with "Run again"; and the restore job's pages."""

import gzip
import io
import json
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.user_data import user_data_json
from codes.wrvu import LineSpec
from tests.tracking.test_import import csv_bytes, good_rows, mapped, uploaded
from tests.tracking.workers import worker_alive
from tracking import jobs, services, tasks
from tracking.models import ImportJob, Location, ProcedureLog, RestoreJob
from tracking.portability import backup, imports

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup_body(attending, release) -> bytes:
    """A backup of three entries in two encounters, one at a location."""
    main = Location.objects.create(user=attending, name="Main OR")
    today = timezone.localdate()
    encounters = [([LineSpec("27447"), LineSpec("20610")], main), ([LineSpec("99213")], None)]
    for lines, location in encounters:
        services.encounter_create(
            user=attending,
            details=services.EntryDetails(date=today, setting="facility", location=location),
            lines=lines,
            release=release,
        )
    return json.dumps(backup.backup_build(attending)).encode()


def post_backup(client, user, body: bytes, replace=False):
    client.force_login(user)
    handle = io.BytesIO(body)
    handle.name = "backup.json"
    data = {"file": handle} | ({"replace": "on"} if replace else {})
    return client.post(reverse("tracking:restore"), data)


def queued_restore(client, user, body, settings) -> RestoreJob:
    """A restore job as a large backup leaves it: kept and queued for a worker (the test's
    transaction never commits, so no task is sent)."""
    settings.TRACKING_RESTORE_ASYNC_BYTES = 0
    response = post_backup(client, user, body)
    job = RestoreJob.objects.get(user=user)
    assert response["Location"] == reverse("tracking:restore_job", args=[job.pk])
    assert job.status == RestoreJob.Status.QUEUED
    settings.TRACKING_RESTORE_ASYNC_BYTES = 10**9  # "Run again" then runs in the request
    return job


def died_running(job, attempts=1):
    """As a worker killed mid-run leaves its job: running, its writes rolled back, no lock."""
    type(job).objects.filter(pk=job.pk).update(
        status="running", attempts=attempts, started_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def page(client, name, job) -> str:
    response = client.get(reverse(name, args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Restore pages ---------------------------------------------------------------------------------


@pytest.fixture
def restore_job(client, other_user, backup_body) -> RestoreJob:
    post_backup(client, other_user, backup_body)
    client.logout()
    return RestoreJob.objects.get(user=other_user)


RESTORE_URLS = [
    ("tracking:restore_job", "get"),
    ("tracking:restore_progress", "get"),
    ("tracking:restore_again", "post"),
]


@pytest.mark.parametrize(("name", "method"), RESTORE_URLS)
def test_the_owner_reaches_each_restore_page(client, other_user, restore_job, name, method):
    client.force_login(other_user)

    response = getattr(client, method)(reverse(name, args=[restore_job.pk]))

    assert response.status_code == (302 if method == "post" else 200)


@pytest.mark.parametrize(("name", "method"), RESTORE_URLS)
def test_another_user_gets_404_for_each_restore_page(client, attending, restore_job, name, method):
    client.force_login(attending)

    response = getattr(client, method)(reverse(name, args=[restore_job.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), RESTORE_URLS)
def test_anonymous_visitors_are_sent_to_sign_in_from_each_restore_page(
    client, restore_job, name, method
):
    response = getattr(client, method)(reverse(name, args=[restore_job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_small_backup_is_restored_in_the_request_and_its_page_says_so(
    client, other_user, backup_body
):
    response = post_backup(client, other_user, backup_body)

    job = RestoreJob.objects.get(user=other_user)
    assert response["Location"] == reverse("tracking:restore_job", args=[job.pk])
    assert (job.status, job.rows_total, job.rows_done) == (RestoreJob.Status.DONE, 3, 3)
    assert job.counts["entries"] == 3 and job.counts["locations"] == 1
    html = page(client, "tracking:restore_job", job)
    assert "Restored 3 entries, 1 location and 0 templates." in html
    assert "hx-get" not in html
    assert ProcedureLog.objects.filter(user=other_user).count() == 3


def test_a_large_backup_is_kept_compressed_queued_and_restored_by_the_task(
    client, other_user, backup_body, settings
):
    job = queued_restore(client, other_user, backup_body, settings)

    assert gzip.decompress(bytes(job.data)) == backup_body
    assert job.size == len(backup_body)
    waiting = page(client, "tracking:restore_job", job)
    progress_url = reverse("tracking:restore_progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in waiting and "Queued." in waiting
    assert not ProcedureLog.objects.filter(user=other_user).exists()

    result = tasks.run_restore_job(job.pk)  # the task's body, as a worker runs it

    assert result == {"job": job.pk, "status": "done", "restored": 3}
    job.refresh_from_db()
    assert bytes(job.data) == b""
    done = page(client, "tracking:restore_progress", job)
    assert "Restored 3 entries" in done and "hx-get" not in done
    assert ProcedureLog.objects.filter(user=other_user).count() == 3


def test_the_restore_page_shows_progress_while_its_worker_runs(
    client, other_user, backup_body, settings
):
    job = queued_restore(client, other_user, backup_body, settings)
    RestoreJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, started_at=timezone.now(), rows_total=20
    )
    cache.set(jobs.progress_key(RestoreJob, job.pk), 8)

    with worker_alive(job):
        html = page(client, "tracking:restore_progress", job)

    assert "Restoring: 8 of 20 entries." in html
    assert 'aria-valuenow="8"' in html and "width: 40%" in html
    assert "hx-get" in html


def test_a_backup_whose_inside_is_not_json_fails_the_job_with_the_reason(
    client, other_user, release
):
    response = post_backup(client, other_user, b'{"format": "rvuedge-tracking-backup", "ver')

    job = RestoreJob.objects.get(user=other_user)
    assert response.status_code == 302
    assert (job.status, job.message) == ("failed", "Nothing restored: This is not a JSON file.")
    assert bytes(job.data) == b""


def test_a_backup_over_the_size_limit_is_refused_at_once(client, other_user, release, monkeypatch):
    monkeypatch.setattr(backup, "MAX_BYTES", 1024 * 1024)

    response = post_backup(client, other_user, b"{" + b" " * (1024 * 1024) + b"}")

    assert response.status_code == 400
    assert "The backup is larger than 1 MB." in response.content.decode()
    assert not RestoreJob.objects.exists()


def test_the_reports_page_lists_recent_restores(client, other_user, restore_job):
    client.force_login(other_user)

    html = client.get(reverse("tracking:reports")).content.decode()

    assert reverse("tracking:restore_job", args=[restore_job.pk]) in html
    assert "Restored ·" in html


def test_download_my_data_lists_restores_without_the_file(other_user, restore_job):
    sections = json.loads(user_data_json(user=other_user))["sections"]

    (entry,) = sections["restore_jobs"]
    assert (entry["file"], entry["status"]) == ("backup.json", "done")
    assert entry["restored"]["entries"] == 3
    assert "data" not in entry


def test_staff_see_restore_jobs_in_the_admin_without_the_file(admin_client, restore_job):
    changelist = admin_client.get(reverse("admin:tracking_restorejob_changelist"))
    detail = admin_client.get(reverse("admin:tracking_restorejob_change", args=[restore_job.pk]))

    assert changelist.status_code == detail.status_code == 200
    assert "backup.json" in changelist.content.decode()


# A worker that died ----------------------------------------------------------------------------


def test_a_restore_whose_worker_died_says_so_and_runs_again_exactly_once(
    client, other_user, backup_body, settings
):
    job = died_running(queued_restore(client, other_user, backup_body, settings))

    html = page(client, "tracking:restore_progress", job)

    job.refresh_from_db()
    assert job.status == RestoreJob.Status.STOPPED
    assert job.message == (
        "Nothing restored: the restore stopped before it finished, because the process running "
        "it was stopped (a restart, or out of memory). Run again to try once more."
    )
    assert job.message in html and "Run again" in html and "hx-get" not in html
    assert gzip.decompress(bytes(job.data)) == backup_body  # kept to run again

    again = reverse("tracking:restore_again", args=[job.pk])
    assert client.post(again).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == (RestoreJob.Status.DONE, 1)
    assert ProcedureLog.objects.filter(user=other_user).count() == 3

    response = client.post(again, follow=True)  # a second click

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This restore has not stopped: there is nothing to run again."
    ]
    assert ProcedureLog.objects.filter(user=other_user).count() == 3


def test_an_import_whose_worker_died_says_so_and_runs_again_exactly_once(
    client, attending, release
):
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))
    ImportJob.objects.filter(pk=job.pk).update(mode="valid_rows")
    job = died_running(job)

    listing = client.get(reverse("tracking:import")).content.decode()
    html = page(client, "tracking:import_job", job)

    assert "Nothing imported: the import stopped before it finished" in html
    assert reverse("tracking:import_again", args=[job.pk]) in html
    job.refresh_from_db()
    assert job.status == ImportJob.Status.STOPPED and bytes(job.data).startswith(b"Date,Code")
    assert "Stopped before finishing" in listing  # the list of imports knew it first

    for _ in range(2):  # Run again, twice; and the Import button of the preview
        client.post(reverse("tracking:import_again", args=[job.pk]))
        client.post(reverse("tracking:import_run", args=[job.pk]), {"mode": "valid_rows"})

    job.refresh_from_db()
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, 4)
    assert ProcedureLog.objects.filter(user=attending).count() == 4


def test_a_job_a_live_worker_holds_is_neither_stopped_nor_run_twice(
    client, other_user, backup_body, settings, monkeypatch
):
    monkeypatch.setattr(jobs, "LOCK_WAIT", 0.3)
    job = died_running(queued_restore(client, other_user, backup_body, settings))

    with worker_alive(job):
        html = page(client, "tracking:restore_progress", job)
        again = backup.restore_job_run(job_pk=job.pk)  # a second delivery of its task

    assert "Restoring" in html and "hx-get" in html
    assert again.status == RestoreJob.Status.RUNNING and again.attempts == 1
    assert not ProcedureLog.objects.filter(user=other_user).exists()


def test_a_redelivered_task_waits_for_a_dying_workers_lock_then_takes_over(
    client, attending, release
):
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))
    ImportJob.objects.filter(pk=job.pk).update(mode="valid_rows")
    job = died_running(job)
    # The dead worker's connection, which the database closes a moment later.
    holder = worker_alive(job)
    holder.__enter__()
    threading.Timer(0.5, holder.__exit__, (None, None, None)).start()

    job = imports.import_job_run(job_pk=job.pk)

    assert (job.status, job.attempts) == (ImportJob.Status.DONE, 2)
    assert job.message.endswith("It took 2 runs: the worker of an earlier one stopped.")
    assert ProcedureLog.objects.filter(user=attending).count() == 4


def test_after_three_runs_whose_workers_died_the_job_stops_instead_of_looping(
    client, other_user, backup_body, settings
):
    job = died_running(queued_restore(client, other_user, backup_body, settings), attempts=3)

    job = backup.restore_job_run(job_pk=job.pk)  # the fourth delivery

    assert job.status == RestoreJob.Status.STOPPED
    assert job.message.startswith(
        "Nothing restored: the restore stopped 3 times before it finished"
    )
    assert not ProcedureLog.objects.filter(user=other_user).exists()
    assert bytes(RestoreJob.objects.get(pk=job.pk).data)  # kept for Run again


def test_a_run_that_lost_its_claim_keeps_nothing_it_wrote(attending):
    job = ImportJob.objects.create(
        user=attending, filename="x.csv", file_type="csv", data=b"x", status="queued"
    )

    def prepare(job):
        # Meanwhile the run was taken for dead and another run claimed the job.
        ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now(), attempts=2)

    def write(job, plan):
        Location.objects.create(user=attending, name="Written by the run")
        return jobs.Outcome(ImportJob.Status.DONE, "Imported.")

    result = jobs.job_run(ImportJob, job.pk, prepare=prepare, write=write)

    assert (result.status, result.attempts) == (ImportJob.Status.RUNNING, 2)
    assert not Location.objects.filter(user=attending).exists()
