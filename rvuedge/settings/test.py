"""Test settings: the base settings with fast hashing, in-memory email and no HTTPS redirect.

The test suite runs against the PostgreSQL and Redis named by DATABASE_URL and REDIS_URL, or,
in the embedded lane (`make test-sqlite`), on SQLite with tasks in-process; tests/conftest.py
checks that the settings match the lane.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"rvuedge-test-{os.getpid()}"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
WHITENOISE_AUTOREFRESH = True  # serve from the finders; tests never run collectstatic
# The suite reads and writes default whether or not DATABASE_REPLICA_URL is set; the router tests
# (tests/rvuedge/test_db_router.py) install rvuedge.db_router.ReplicaRouter themselves and read
# through this alias, which is the test database itself (a test mirror, never created).
DATABASE_ROUTERS = []
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
