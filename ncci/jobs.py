"""An NCCI import started from the admin: the uploaded files kept where the worker reads them
(settings.NCCI_UPLOAD_DIR, on the volume the web and worker processes share), and the job's
state in the cache for the admin's status page (queued, running with rows done of total, done
with each set's outcome, or failed with the importer's message naming file, line and column).

The edit sets themselves are the lasting record: a state that has left the cache only means
the admin's list of sets is the place to look.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from . import services

logger = logging.getLogger(__name__)
STATE_SECONDS = 24 * 3600
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def _key(token: str) -> str:
    return f"ncci:import-job:{token}"


def state(token: str) -> dict | None:
    """{"status", "source", "done", "total", "messages"} of a job, or None when not known."""
    return cache.get(_key(token))


def _update(token: str, **changes) -> None:
    current = state(token) or {"source": "", "done": 0, "total": 0, "messages": []}
    cache.set(_key(token), current | changes, STATE_SECONDS)


def upload_folder(token: str) -> Path:
    return Path(settings.NCCI_UPLOAD_DIR) / token


def job_create(*, uploads=(), url: str = "") -> tuple[str, str]:
    """Keep the uploaded files (or note the URL) and record a queued job: (token, source to
    import). The caller queues ncci.tasks.import_edit_files with both."""
    token = uuid.uuid4().hex
    source = url
    if uploads:
        folder = upload_folder(token)
        folder.mkdir(parents=True)
        for upload in uploads:
            with open(folder / Path(upload.name).name, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        source = str(folder)
    label = url or ", ".join(Path(u.name).name for u in uploads)
    _update(token, status=QUEUED, source=label)
    return token, source


def job_run(token: str, source: str) -> dict:
    """Import `source` for the job. Safe to run twice: a finished job is left as it is, and the
    importer skips files it has imported. The uploaded files are removed once it ends."""
    current = state(token)
    if current and current["status"] in (DONE, FAILED):
        return current
    _update(token, status=RUNNING)
    url = source if source.startswith(("http://", "https://")) else ""
    try:
        outcomes = services.edits_import(
            source=source,
            source_url=url,
            progress=lambda done, total: _update(token, done=done, total=total),
        )
    except services.EditImportError as exc:
        _update(token, status=FAILED, messages=[str(exc)])
    else:
        _update(token, status=DONE, messages=[o.message for o in outcomes])
    finally:
        folder = upload_folder(token)
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    return state(token)
