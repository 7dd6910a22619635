"""Two Celery queues: user work on the default queue, the long data loads on `refresh`
(settings.CELERY_TASK_ROUTES). A worker started without -Q (tests, `celery worker` by hand)
consumes both; docker-compose splits them between two services that together consume both."""

import pytest
import yaml
from django.conf import settings

from rvuedge.celery import app

REFRESH = [
    "codes.tasks.refresh_fee_schedules",
    "codes.tasks.import_release_task",
    "codes.tasks.warm_code_pages",
    "ncci.tasks.refresh_ncci_edits",
    "ncci.tasks.import_edit_files",
    "tracking.tasks.purge_submission_keys",
]
USER_WORK = [
    "tracking.tasks.run_import_job",
    "tracking.tasks.run_restore_job",
    "statements.tasks.run_statement_job",
    "support.tasks.ticket_created_notify",
    "support.tasks.ticket_message_notify",
]


@pytest.fixture(autouse=True)
def tasks_loaded():
    app.loader.import_default_modules()  # every app's tasks.py, as a worker loads them


def routed_to(name):
    queue = app.amqp.router.route({}, name)["queue"]
    return queue.name, queue.routing_key


@pytest.mark.parametrize("name", REFRESH)
def test_refreshes_and_data_loads_go_to_the_refresh_queue(name):
    assert name in app.tasks
    assert routed_to(name) == ("refresh", "refresh")


@pytest.mark.parametrize("name", USER_WORK)
def test_user_work_goes_to_the_default_queue(name):
    assert name in app.tasks
    assert routed_to(name) == ("celery", "celery")


def test_every_periodic_task_has_a_route_to_the_refresh_queue():
    # Beat's jobs are long or can wait; a new one lands here unless routed on purpose.
    for entry in app.conf.beat_schedule.values():
        assert routed_to(entry["task"])[0] == "refresh", entry["task"]


def test_a_worker_without_q_consumes_both_queues():
    assert {"celery", "refresh"} <= set(app.amqp.queues)


def test_docker_compose_runs_a_worker_for_each_queue():
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    workers = {
        name: service["command"]
        for name, service in compose["services"].items()
        if service.get("command", [])[:4] == ["celery", "-A", "rvuedge", "worker"]
    }

    def option(command, flag):
        return command[command.index(flag) + 1]

    assert {name: option(cmd, "-Q") for name, cmd in workers.items()} == {
        "worker": "celery",
        "worker-refresh": "refresh",
    }
    assert option(workers["worker-refresh"], "--concurrency") == "1"  # one load at a time
