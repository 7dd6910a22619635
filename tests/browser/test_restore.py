"""Restoring a backup in a real browser: a large one is queued, and its page follows the Celery
worker's progress (htmx polling) until it says what was restored."""

import json

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from rvuedge.celery import app
from tests.browser.test_reports import year_of_entries  # noqa: F401 (a fixture)
from tests.browser.test_tracking import sign_in
from tracking.models import ProcedureLog, RestoreJob
from tracking.portability import backup

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]


def test_an_attending_restores_a_backup_in_the_background_and_watches_it_finish(
    page,
    live_server,
    attending,
    year_of_entries,  # noqa: F811 (the fixture imported above)
    screenshot,
    settings,
    tmp_path,
):
    assert not app.conf.task_always_eager, "worker tests need REDIS_URL"
    app.control.purge()
    entries = year_of_entries.count()
    path = tmp_path / "rvuedge-backup.json"
    path.write_text(json.dumps(backup.backup_build(attending)))
    backup.tracking_data_delete(attending)
    settings.TRACKING_RESTORE_ASYNC_BYTES = 0  # every backup is restored by the worker

    sign_in(page, live_server, attending)
    page.goto("/track/reports/")
    page.get_by_label("Backup file (.json)").set_input_files(str(path))
    page.get_by_role("button", name="Restore").click()

    # No worker yet: the job waits on the queue, and its page polls.
    expect(page.get_by_role("heading", name="Restore rvuedge-backup.json")).to_be_visible()
    expect(page.locator("#restore-progress")).to_contain_text("Queued.")
    screenshot("restore-queued")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        expect(page.locator("#restore-progress")).to_contain_text(
            f"Restored {entries} entries, 1 location and 0 templates.", timeout=60_000
        )
    screenshot("restore-done")

    assert ProcedureLog.objects.filter(user=attending).count() == entries
    assert RestoreJob.objects.get(user=attending).status == RestoreJob.Status.DONE
    page.get_by_role("link", name="See the entries in History").click()
    expect(page).to_have_url(f"{live_server.url}/track/history/")
