"""Celery application. Broker and options come from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rvuedge.settings.base")

app = Celery("rvuedge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
