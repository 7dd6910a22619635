"""What every web process would otherwise load on its first requests, loaded once in gunicorn's
master after it has loaded the application (deploy/gunicorn.conf.py's when_ready).

gunicorn loads the application in its master (preload_app) and forks the workers from it, and
forks a new one each time a worker is recycled (max_requests). Django imports the URL conf (and
with it every view, form and serializer) on the first request a process resolves, and the
cached template loader compiles each template on its first use: in a worker forked from a master
that has not done either, the first requests pay for both, tens of milliseconds of a core each
time a worker is replaced. Done here, a worker starts with them.

Nothing here opens a database or cache connection: those are not to be shared by forked
processes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver

logger = logging.getLogger(__name__)

# Templates compiled besides the site's own: the form widgets Django renders them with.
SHARED_PREFIXES = ("django/forms/",)


def _names(engine) -> list[str]:
    """Template names of the engine's folders that are the site's (under BASE_DIR, not a
    package's), and of the form widgets wherever they live."""
    base = Path(settings.BASE_DIR).resolve()
    names = set()
    for folder in engine.template_dirs:
        folder = Path(folder).resolve()
        own = folder.is_relative_to(base) and "site-packages" not in folder.parts
        for path in folder.rglob("*.html"):
            name = path.relative_to(folder).as_posix()
            if own or name.startswith(SHARED_PREFIXES):
                names.add(name)
    return sorted(names)


def preload() -> dict[str, int]:
    """Import the URL conf (and index it for reversing) and compile the site's templates; what
    was loaded, counted."""
    resolver = get_resolver()
    patterns = len(resolver.url_patterns)
    resolver.reverse_dict  # noqa: B018 (reading it indexes the names once)
    compiled = 0
    for engine in engines.all():
        for name in _names(engine):
            try:
                engine.get_template(name)
            except TemplateSyntaxError as error:
                # A template whose tags another app would provide: it fails when used, not here.
                logger.warning("Template %s not preloaded: %s", name, error)
            else:
                compiled += 1
    return {"url_patterns": patterns, "templates": compiled}
