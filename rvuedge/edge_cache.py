"""The edge cache: anonymous pages shared by nginx (or any CDN) and served by Django without a
session, a user or a database query.

Rules
- A view opts in with `@shared` (naming the query parameters it reads: `@shared(query=("page",))`).
  Its 200 response is shared when the request is a GET or HEAD with no session cookie, no
  `messages` cookie and no Authorization header, every query parameter is one the view reads,
  the visitor is anonymous, the view did not `refuse()` it or vary it on Cookie, and the response
  sets no cookie (a page that used `{% csrf_token %}` sets one: it is never shared).
- EdgeCacheMiddleware sits second (after SecurityMiddleware), before sessions and auth. For a
  request that may be shared it looks the response up by (content version, path, query string)
  in a bounded in-process LRU, then in the Django cache, and serves it from there (If-None-Match
  matching its ETag: 304 with no body), with the headers the middleware after it had added.
  Otherwise the view runs and a shared response is stored, each copy for at most
  EDGE_CACHE_SECONDS, as nginx keeps it (so a post scheduled for a time appears within that).
  A page made while a change was committed (the version moved meanwhile) is neither stored nor
  shared: it may show the old content.
- The content version is "<token>.<local date>". The token is kept in the cache under VERSION_KEY
  and replaced by `bump()` whenever something shown on shared pages changes:
  codes.cache.invalidate_code_pages (releases, editorial content, NCCI edit sets), and the models
  apps list with `changes_with()` (blog, resources, help centre). Each process reads it again
  only when the stamp file EDGE_VERSION_STAMP changed (every writer of the token replaces the
  file), or for every request when there is no stamp file. The local date (TIME_ZONE) makes
  anything effective by date (the current release, an edit set coming into force) be served
  from its first day. A missing token (first start, eviction) is started again quietly: content
  changes always bump, so nothing older can be served.
- Shared responses say `Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=30,
  stale-if-error=86400` with N = min(EDGE_CACHE_SECONDS, seconds to the next local midnight),
  a strong ETag (hash of the body), Last-Modified (when the content version began) and
  `Vary: Accept-Encoding`. Every other response without a Cache-Control gets `private`: a
  signed-in page is never stored by a shared cache. WhiteNoise's static files never get here.
- `bump()` also empties EDGE_CACHE_DIR (nginx's proxy_cache_path; its files, not its folders:
  nginx treats a missing file as a miss), so a new release or an edit is served at once. Errors
  while emptying it are logged, never raised. `manage.py edge_cache_purge` does the same by hand.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import signals
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, has_vary_header, patch_cache_control
from django.utils.http import http_date

from rvuedge.lru import LocalLRU

logger = logging.getLogger(__name__)

VERSION_KEY = "edge:version"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage
# Browsers ask again every time (a 304 when nothing changed): a visitor who signs in must not
# be shown the signed-out copy their own browser kept.
BROWSER_SECONDS = 0
STALE_WHILE_REVALIDATE = 30
STALE_IF_ERROR = 86400
_SHARED = "edge_shared"  # attribute on a response the view lets share
_QUERY = "edge_query"  # attribute on an opted-in view: the query parameters it reads
_NOT_STORED = {"cache-control", "vary", "expires", "etag", "last-modified", "content-length"}


# --- Views opt in ------------------------------------------------------------------------------


def shared(view=None, *, query: tuple[str, ...] = ()):
    """Let a view's 200 response be shared by every anonymous visitor (see the module's rules)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            response = func(request, *args, **kwargs)
            if getattr(response, _SHARED, True) and not has_vary_header(response, "Cookie"):
                setattr(response, _SHARED, True)
            return response

        setattr(wrapper, _QUERY, frozenset(query))
        return wrapper

    return decorate(view) if view is not None else decorate


def refuse(response):
    """The view says this response is not to be shared (e.g. priced for an unknown locality)."""
    setattr(response, _SHARED, False)
    return response


# --- Content version ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    token: str
    key: str  # "<token>.<local date>"
    began: datetime  # when this content began to be served: the token's start or today's
    ends: datetime  # the next local midnight, when it stops being served

    def shared_seconds(self) -> int:
        """How long nginx or a CDN may keep a shared page: never past the next local midnight."""
        to_midnight = int((self.ends - timezone.now()).total_seconds())
        return max(1, min(settings.EDGE_CACHE_SECONDS, to_midnight))

    @functools.cached_property
    def began_seconds(self) -> int:
        return int(self.began.timestamp())

    @functools.cached_property
    def last_modified(self) -> str:
        return http_date(self.began_seconds)


def current_version() -> Version | None:
    """The content version, started when missing; None when the cache cannot keep it."""
    record = _token.record()
    if record is None:
        return None
    return _version(*record, timezone.localdate(), timezone.get_current_timezone())


@functools.lru_cache(maxsize=32)
def _version(token: str, started: float, today, zone) -> Version:
    """The version of a token on a day (made once: every hit asks for it)."""
    midnight, ends = _midnight(today, zone), _midnight(today + timedelta(days=1), zone)
    began = max(datetime.fromtimestamp(started, tz=zone), midnight)
    return Version(token, f"{token}.{today.isoformat()}", min(began, timezone.now()), ends)


def _still_current(version: Version) -> bool:
    """No change was committed while the page was made (else it may show the old content)."""
    record = _token.read()
    return record is not None and record[0] == version.token


def bump() -> int:
    """Start a new content version: nothing stored under the old one is served again, here or
    by nginx. The number of nginx's files deleted."""
    cache.set(VERSION_KEY, _new_record(), None)
    _token.changed()
    _recent.clear()
    return purge_files()


class _Token:
    """This process's copy of the content token (kept in the cache under VERSION_KEY).

    With a stamp file (EDGE_VERSION_STAMP, on a folder every web and worker process shares, as
    they share EDGE_CACHE_DIR) the cache is read again only when the file changed: whoever
    writes the token replaces the file afterwards, and a process looks at the file before
    reading the token, so it never keeps a token older than the file it saw. A hit then costs
    no round trip to Redis. Without a stamp file (or while it cannot be read) the token is read
    from the cache every time.
    """

    def __init__(self):
        self._kept: tuple[tuple, tuple[str, float]] | None = None  # (stamp seen, record)

    def record(self) -> tuple[str, float] | None:
        stamp = _stamp_of(settings.EDGE_VERSION_STAMP)
        if stamp is None and settings.EDGE_VERSION_STAMP:
            self.changed()  # the first process to look starts the file
            stamp = _stamp_of(settings.EDGE_VERSION_STAMP)
        kept = self._kept
        if stamp is not None and kept is not None and kept[0] == stamp:
            return kept[1]
        record = self.read()
        self._kept = (stamp, record) if stamp is not None and record is not None else None
        return record

    def read(self) -> tuple[str, float] | None:
        """The token in the cache, started when missing."""
        record = cache.get(VERSION_KEY)
        if record is None:
            started = _new_record()
            cache.add(VERSION_KEY, started, None)
            record = cache.get(VERSION_KEY)
            if record == started:  # this process started it (not a cache that is down)
                self.changed()
        return record

    def changed(self) -> None:
        """The token in the cache was replaced: every process is to read it again."""
        self._kept = None
        path = settings.EDGE_VERSION_STAMP
        if not path:
            return
        temporary = None
        try:  # a new file (a new inode), moved into place: a change no clock can hide
            descriptor, temporary = tempfile.mkstemp(
                dir=os.path.dirname(path) or ".", prefix=".edge-version-"
            )
            os.close(descriptor)
            os.replace(temporary, path)
        except OSError as error:
            logger.warning("Edge cache version stamp not written: %s", error)
            if temporary:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _stamp_of(path: str) -> tuple | None:
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)


_token = _Token()


def _new_record() -> tuple[str, float]:
    return uuid.uuid4().hex[:12], time.time()


def _bump_on_commit(sender, using=None, **kwargs):
    transaction.on_commit(bump, using=using)


def changes_with(*models) -> None:
    """Saving or deleting one of these models changes what shared pages show."""
    for model in models:
        uid = f"edge-cache-{model._meta.label}"
        signals.post_save.connect(_bump_on_commit, sender=model, dispatch_uid=uid)
        signals.post_delete.connect(_bump_on_commit, sender=model, dispatch_uid=f"{uid}-d")


def _midnight(day, zone) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


# --- Stored responses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    body: bytes
    headers: dict[str, str]
    etag: str
    expires: float  # wall-clock time after which it is not served


_recent = LocalLRU(lambda: settings.EDGE_CACHE_LOCAL_ENTRIES)  # stored responses, this process


def page_key(version: Version, path: str, query: str) -> str:
    digest = hashlib.sha256(f"{path}?{query}".encode()).hexdigest()[:32]
    return f"edge:page:{version.key}:{digest}"


def lookup(key: str) -> Stored | None:
    """The response stored under key and still fresh: this process's copy, else the cache's."""
    entry = _recent.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            _recent.put(key, entry)
    return entry if entry is not None and entry.expires > time.time() else None


def stored_form(response, version: Version) -> Stored:
    """What is kept of a shared response: its body and headers, but not the caching ones."""
    body = response.content
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _NOT_STORED}
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return Stored(body, headers, etag, time.time() + version.shared_seconds())


def keep(key: str, entry: Stored) -> None:
    _recent.put(key, entry)
    cache.set(key, entry, max(1, int(entry.expires - time.time())))


def serve(request, entry: Stored, version: Version):
    """A stored response with the shared headers, or 304 when the visitor's copy is current."""
    seconds = version.shared_seconds()
    headers = {
        **entry.headers,
        "Content-Length": str(len(entry.body)),
        "ETag": entry.etag,
        "Last-Modified": version.last_modified,
        "Vary": "Accept-Encoding",
        "Cache-Control": _cache_control(seconds),
    }
    response = HttpResponse(b"" if request.method == "HEAD" else entry.body, headers=headers)
    return get_conditional_response(
        request, etag=entry.etag, last_modified=version.began_seconds, response=response
    )


@functools.lru_cache(maxsize=1024)
def _cache_control(seconds: int) -> str:
    return (
        f"public, max-age={min(BROWSER_SECONDS, seconds)}, s-maxage={seconds}, "
        f"stale-while-revalidate={STALE_WHILE_REVALIDATE}, stale-if-error={STALE_IF_ERROR}"
    )


# --- Middleware --------------------------------------------------------------------------------


def _may_share(request) -> bool:
    """A request whose answer may be shared: by its method and cookies, and an opted-in view
    that reads every query parameter given."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return False
    allowed = _query_read_at(request.path_info, get_urlconf() or settings.ROOT_URLCONF)
    return allowed is not None and set(request.GET) <= allowed


@functools.lru_cache(maxsize=4096)
def _query_read_at(path: str, urlconf: str) -> frozenset[str] | None:
    """The query parameters the opted-in view at `path` reads; None for any other view.
    Remembered: what a path resolves to changes only with the code."""
    try:
        return getattr(resolve(path, urlconf).func, _QUERY, None)
    except Resolver404:
        return None


def _is_shared(request, response) -> bool:
    user = getattr(request, "user", None)
    return (
        getattr(response, _SHARED, False) is True
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (user is not None and user.is_authenticated)
    )


class EdgeCacheMiddleware:
    """Serves and stores shared pages before any session, user or database is touched, and marks
    every other response private. It comes second, after SecurityMiddleware: a stored copy keeps
    the headers the middleware after it added (the Content-Security-Policy, Permissions-Policy),
    which a hit then does not compute again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        version = current_version() if _may_share(request) else None
        query = request.META.get("QUERY_STRING", "")
        key = page_key(version, request.path, query) if version else ""
        if key:
            entry = lookup(key)
            if entry is not None:
                return serve(request, entry, version)
        response = self.get_response(request)
        if key and _is_shared(request, response) and _still_current(version):
            entry = stored_form(response, version)
            if request.method == "GET":  # a HEAD's body may have been left out
                keep(key, entry)
            return serve(request, entry, version)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response


# --- nginx's cache -----------------------------------------------------------------------------


def purge_files(directory: str | os.PathLike | None = None) -> int:
    """Delete every file under EDGE_CACHE_DIR (not the folders); the number deleted. Errors are
    logged: a purge never fails the edit or import that asked for it."""
    directory = directory or settings.EDGE_CACHE_DIR
    if not directory:
        return 0
    removed = 0

    def complain(error):
        logger.warning("Edge cache purge: %s", error)

    for root, _folders, files in os.walk(directory, onerror=complain):
        for name in files:
            try:
                os.unlink(os.path.join(root, name))
                removed += 1
            except FileNotFoundError:
                pass  # nginx removed it first
            except OSError as error:
                complain(error)
    return removed
