"""The embedded default: the settings `make run` gets from an environment without services."""

import json
import os
import subprocess
import sys

from django.conf import settings

READ_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps([s.DATABASES["default"]["ENGINE"], s.CACHES["default"]["BACKEND"],
                  s.CELERY_TASK_ALWAYS_EAGER]))
"""


def test_empty_service_urls_mean_sqlite_local_memory_and_tasks_in_process():
    # Empty, not unset: an empty value also wins over a .env beside the checkout.
    env = os.environ | {"DATABASE_URL": "", "REDIS_URL": "", "REDIS_CACHE_URL": ""}
    env["DJANGO_SETTINGS_MODULE"] = "rvuedge.settings.test"
    out = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert json.loads(out) == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        True,
    ]
