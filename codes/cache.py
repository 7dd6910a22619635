"""Every cache key of the fee schedule, and the invalidation of cached code pages.

Code pages and the pieces they share (release list, localities, category distributions) are
cached under a data version: a token kept under PAGE_STATE_KEY with the releases every page
needs. Saving a release or editorial content deletes it (codes.models signals), so the next
request starts a new version and nothing cached under the old one is read again; the old
entries expire on their own. The state is stored with the generation it was made under
(PAGE_GENERATION_KEY, replaced by every invalidation) and used only while that generation is
current: a state computed from the rows read just before a change committed, and stored just
after the change deleted the old one, is never served.

Whole pages for visitors who are not signed in are kept by the site's edge cache
(rvuedge.edge_cache), which a new data version also starts afresh.

This module imports nothing from the app but Django's cache, so models, selectors, services
and views all import it without a cycle.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from rvuedge import edge_cache
from rvuedge.lru import LocalLRU

PAGE_STATE_KEY = "codes:page-state"
PAGE_GENERATION_KEY = "codes:page-generation"
CURRENT_RELEASE_NAME_KEY = "codes:current-release-name"
PROGRESS_KEY = "codes:release-progress:{pk}"

SHARED_SECONDS = 24 * 3600  # a data version's shared pieces and the page state
PAGE_SECONDS = 24 * 3600  # rendered code pages
CURRENT_NAME_SECONDS = 3600
PROGRESS_SECONDS = 3600
SUGGEST_SECONDS = 300

NO_RELEASE = ""  # cached for "no current release" so that state is cached too


# --- Data version --------------------------------------------------------------------------------


def invalidate_code_pages() -> None:
    """Start a new data version: cached code pages and their shared pieces are not used again,
    nor the whole pages the edge cache (and nginx) keep."""
    cache.set(PAGE_GENERATION_KEY, _new_generation(), None)
    cache.delete(PAGE_STATE_KEY)
    edge_cache.bump()


def _new_generation() -> str:
    return uuid.uuid4().hex


def page_state_get():
    """(the cached codes.selectors.PageState or None when a new version must be started, the
    generation a new state is to be stored under). Read the generation before the rows."""
    found = cache.get_many([PAGE_STATE_KEY, PAGE_GENERATION_KEY])
    generation = found.get(PAGE_GENERATION_KEY)
    if generation is None:  # first use, or evicted: a new one, which no stored state has
        cache.add(PAGE_GENERATION_KEY, _new_generation(), None)
        generation = cache.get(PAGE_GENERATION_KEY) or _new_generation()
    stored = found.get(PAGE_STATE_KEY)
    if isinstance(stored, tuple) and stored[0] == generation:
        return stored[1], generation
    return None, generation


def page_state_set(state, current_name: str | None, generation: str) -> None:
    """Store a new page state made under `generation`; every page's footer names the current
    release, so store it too, unless a change came meanwhile (the name has no generation)."""
    values = {PAGE_STATE_KEY: (generation, state)}
    if cache.get(PAGE_GENERATION_KEY) == generation:
        values[CURRENT_RELEASE_NAME_KEY] = current_name or NO_RELEASE
    cache.set_many(values, SHARED_SECONDS)


def remember(key: str, seconds: int, compute: Callable[[], Any]) -> Any:
    """The value cached under key, computed and cached when missing (None is not cached)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, seconds)
    return value


_shared_here = LocalLRU(32)  # this process's copies of the shared values: read once each


def shared(version: str, name: str, compute: Callable[[], Any]) -> Any:
    """A per-data-version value shared by every page (computed once when it is not cached, and
    read from the cache once per process: a version's values never change)."""
    key = f"codes:shared:{version}:{name}"
    value = _shared_here.get(key)
    if value is None:
        value = remember(key, SHARED_SECONDS, compute)
        if value is not None:
            _shared_here.put(key, value)
    return value


def page_key(version: str, code: str, locality: str | None, ama: bool) -> str:
    """A code page's rendered fragments: data version, code, locality, AMA text shown or not."""
    return f"codes:page:{version}:{code}:{locality or '-'}:{int(ama)}"


def present(keys: list[str]) -> set[str] | None:
    """Which of `keys` the cache holds, without reading their values where the backend can
    (rvuedge.cache_backend); None when the cache cannot answer (Redis down)."""
    existing = getattr(cache, "existing", None)
    if existing is not None:
        return existing(keys)
    return {key for key in keys if cache.has_key(key)}


def suggestions(scope, typed: str, compute: Callable[[], Any]) -> Any:
    """Search suggestions for what was typed, in one release (its pk or name), kept briefly."""
    key = f"codes:suggest:{scope}:{hashlib.sha256(typed.encode()).hexdigest()[:32]}"
    return remember(key, SUGGEST_SECONDS, compute)


# --- Current release name -----------------------------------------------------------------------


def current_release_name_get() -> str | None:
    """The cached name: a name, NO_RELEASE when there is none, None when not cached."""
    return cache.get(CURRENT_RELEASE_NAME_KEY)


def current_release_name_set(name: str | None) -> None:
    cache.set(CURRENT_RELEASE_NAME_KEY, name or NO_RELEASE, CURRENT_NAME_SECONDS)


def current_release_name_clear() -> None:
    cache.delete(CURRENT_RELEASE_NAME_KEY)


# --- Import progress ----------------------------------------------------------------------------
# The release row is inside the import's transaction, invisible to other connections until the
# end; the cache is how the admin sees the count move.


def progress_get(release_pk: int) -> tuple[int, int] | None:
    return cache.get(PROGRESS_KEY.format(pk=release_pk))


def progress_set(release_pk: int, done: int, total: int) -> None:
    cache.set(PROGRESS_KEY.format(pk=release_pk), (done, total), PROGRESS_SECONDS)


def progress_clear(release_pk: int) -> None:
    cache.delete(PROGRESS_KEY.format(pk=release_pk))
