"""Celery application. Broker and options come from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_prerun

from rvuedge import db_router

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rvuedge.settings.base")

app = Celery("rvuedge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def read_from_default(**kwargs):
    """A task reads from the primary database, never a replica: it usually writes what it read.
    (A task run in-process inside a request also turns that request's replica reads off.)"""
    db_router.reads_from_primary()


@app.on_after_configure.connect
def add_periodic_tasks(sender, **kwargs):
    """The beat schedule lives in code; entries added to CELERY_BEAT_SCHEDULE are kept."""
    # CMS publishes at most a few times a quarter; daily catches a release within a day.
    sender.add_periodic_task(
        crontab(hour=6, minute=15),
        sender.signature("codes.tasks.refresh_fee_schedules"),
        name="codes.refresh_fee_schedules",
    )
    # NCCI edits change quarterly (MUE sometimes between quarters).
    sender.add_periodic_task(
        crontab(hour=6, minute=45),
        sender.signature("ncci.tasks.refresh_ncci_edits"),
        name="ncci.refresh_ncci_edits",
    )
    # A new data version (an import, an editorial edit, the day's new page state) leaves every
    # code page to render again: the worker renders them before visitors ask (codes.pages).
    sender.add_periodic_task(
        300.0,
        sender.signature("codes.tasks.warm_code_pages"),
        name="codes.warm_code_pages",
    )
    # Form tokens and Idempotency-Keys are kept a day (tracking.submissions), then deleted.
    sender.add_periodic_task(
        crontab(hour=3, minute=40),
        sender.signature("tracking.tasks.purge_submission_keys"),
        name="tracking.purge_submission_keys",
    )
