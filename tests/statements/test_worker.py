"""A large statement is reconciled by a real Celery worker, and its page follows the progress
until the results show (PostgreSQL and Redis: the services lane)."""

import io
import queue

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.urls import reverse

from rvuedge.celery import app
from statements.models import Statement

from . import month

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def worker(transactional_db):
    assert not app.conf.task_always_eager, "worker tests need REDIS_URL"
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running:
        yield running


@pytest.fixture
def finished():
    done = queue.Queue()

    def record(sender=None, state=None, retval=None, **kwargs):
        done.put((sender.name, state, retval))

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


def test_a_large_statement_is_reconciled_by_the_worker(
    worker, finished, client, attending, rvu26c, settings
):
    settings.STATEMENTS_ASYNC_ROWS = 10
    month.log_month(attending, rvu26c)
    client.force_login(attending)
    handle = io.BytesIO(month.csv_per_line())
    handle.name = "october.csv"
    client.post(reverse("statements:list"), {"file": handle})
    statement = Statement.objects.get()
    form = {name: header for name, header in statement.columns.items()}
    form |= {"period_from": "2025-10-01", "period_to": "2025-10-31"}

    response = client.post(reverse("statements:columns", args=[statement.pk]), form)

    assert response.status_code == 302
    page = client.get(reverse("statements:detail", args=[statement.pk])).content.decode()
    name, state, result = finished.get(timeout=120)
    assert (name, state) == ("statements.tasks.run_statement_job", "SUCCESS"), result
    assert result == {"statement": statement.pk, "status": "done"}
    assert 'id="statement-progress"' in page or 'data-testid="summary"' in page
    progress = client.get(reverse("statements:progress", args=[statement.pk])).content.decode()
    assert "Reconciled 22 lines: 9 matched, 10 credited differently" in progress
    assert "hx-get" not in progress
    statement.refresh_from_db()
    assert statement.owed_wrvu == sum(item[2] for item in month.EXPECTED.values())
